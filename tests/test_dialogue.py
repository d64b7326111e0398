"""Follow-up questions in a conversation, and the bounded conversation memory behind them."""

from __future__ import annotations

import threading

import pytest

from assistant.answer.models import Answer
from assistant.nlu.dialogue import Dialogues
from assistant.nlu.query import Intent, Query
from assistant.service import Assistant


def _key(name: str) -> tuple[str, str]:
    """A conversation of its own for each test (the assistant is shared by the session)."""
    return ("test", f"dialogue-{name}")


def _entities(answer: Answer) -> dict[str, object]:
    found = answer.understanding.get("entities", {})
    assert isinstance(found, dict)
    return found


def _aspects(answer: Answer) -> list[str]:
    found = answer.understanding.get("aspects", [])
    assert isinstance(found, list)
    return found


# --- follow-ups ------------------------------------------------------------------------------


def test_another_task_in_a_followup(fake_assistant: Assistant) -> None:
    key = _key("another-task")
    first = fake_assistant.converse(key, "Ai chủ trì nhiệm vụ 3.2?")
    assert first.tasks[0].id == "3.2"
    assert first.understanding["followup"] is False

    second = fake_assistant.converse(key, "còn nhiệm vụ 3.3 thì sao?")
    assert second.intent == Intent.TASK.value
    assert second.confident is True
    assert second.tasks[0].id == "3.3"
    assert second.understanding["followup"] is True
    assert _entities(second)["tasks"] == ["3.3"]  # the new task replaces the old one
    assert _aspects(second) == ["lead"]  # the same question, of another task


def test_partners_of_the_same_task(fake_assistant: Assistant) -> None:
    key = _key("partners")
    first = fake_assistant.converse(key, "Nhiệm vụ 5.1 do ai chủ trì?")
    assert first.tasks[0].id == "5.1"

    second = fake_assistant.converse(key, "ai phối hợp?")
    assert second.intent == Intent.TASK.value
    assert second.confident is True
    assert second.understanding["followup"] is True
    assert "partner" in _aspects(second)
    task = second.tasks[0]
    assert task.id == "5.1"
    kb = fake_assistant.kb
    expected = kb.agency_names(kb.tasks["5.1"].partners, "vi")
    assert task.partners == expected and expected
    for name in expected:  # the card writes them in a sentence, in its own case
        assert name.lower() in second.answer.lower()


def test_english_followup_on_the_timeframe(fake_assistant: Assistant) -> None:
    key = _key("english-timeframe")
    first = fake_assistant.converse(key, "Who leads task 2.1?")
    assert first.lang == "en" and first.tasks[0].id == "2.1"

    second = fake_assistant.converse(key, "and the timeframe?")
    assert second.lang == "en"
    assert second.intent == Intent.TASK.value
    assert second.confident is True
    assert second.understanding["followup"] is True
    assert "timeframe" in _aspects(second)
    assert second.tasks[0].id == "2.1"
    assert second.tasks[0].timeframe in second.answer


def test_measure_followup_switches_the_market(fake_assistant: Assistant) -> None:
    key = _key("measure-market")
    first = fake_assistant.converse(key, "xuất cà phê sang EU cần gì?")
    assert first.intent == Intent.MEASURE.value
    assert _entities(first) == {"products": ["coffee"], "markets": ["EU"]}

    second = fake_assistant.converse(key, "còn Nhật Bản thì sao?")
    assert second.intent == Intent.MEASURE.value
    assert second.understanding["followup"] is True
    assert _entities(second) == {"products": ["coffee"], "markets": ["JP"]}
    assert "cà phê" in second.answer and "Nhật Bản" in second.answer


def test_measure_followup_switches_the_product(fake_assistant: Assistant) -> None:
    key = _key("measure-product")
    fake_assistant.converse(key, "Xuất khẩu gỗ sang Nhật Bản cần giấy tờ gì?")
    second = fake_assistant.converse(key, "còn hồ tiêu thì sao?")
    assert second.intent == Intent.MEASURE.value
    assert second.understanding["followup"] is True
    assert _entities(second) == {"products": ["pepper"], "markets": ["JP"]}


def test_english_measure_followup(fake_assistant: Assistant) -> None:
    key = _key("measure-english")
    fake_assistant.converse(key, "What rules apply to exporting cashew to the EU?")
    second = fake_assistant.converse(key, "what about Japan?")
    assert second.lang == "en"
    assert second.intent == Intent.MEASURE.value
    assert second.understanding["followup"] is True
    assert _entities(second) == {"products": ["cashew"], "markets": ["JP"]}


def test_agency_followup_switches_the_agency(fake_assistant: Assistant) -> None:
    key = _key("agency-switch")
    first = fake_assistant.converse(key, "Sở Tài chính chủ trì những nhiệm vụ nào?")
    assert first.intent == Intent.AGENCY_TASKS.value
    second = fake_assistant.converse(key, "thế còn Sở KH&CN?")
    assert second.intent == Intent.AGENCY_TASKS.value
    assert second.understanding["followup"] is True
    assert _entities(second) == {"agencies": ["so-khcn"]}
    led = [t.id for t in fake_assistant.kb.tasks.values() if t.lead == "so-khcn"]
    assert [t.id for t in second.tasks] == led


@pytest.mark.parametrize("followup", ["văn bản đó do ai ban hành?", "When was it issued?"])
def test_document_followup(fake_assistant: Assistant, followup: str) -> None:
    key = _key(f"document-{followup}")
    fake_assistant.converse(key, "Nghị quyết 57-NQ/TW nói về vấn đề gì?")
    second = fake_assistant.converse(key, followup)
    assert second.understanding["followup"] is True
    assert second.intent == Intent.DOCUMENT.value
    assert _entities(second).get("documents") == ["57-nq/tw"]
    assert second.confident is True


TASK_TURN = "Ai chủ trì nhiệm vụ 3.2?"
MEASURE_TURN = "xuất cà phê sang EU cần gì?"


@pytest.mark.parametrize(
    ("name", "first", "text", "intent"),
    [
        ("hello", TASK_TURN, "Xin chào", Intent.HELP),
        ("thanks", TASK_TURN, "cảm ơn bạn", Intent.HELP),
        ("thanks-en", TASK_TURN, "thank you very much", Intent.HELP),
        ("weather", TASK_TURN, "thời tiết Pleiku ngày mai thế nào?", Intent.OUT_OF_SCOPE),
        ("weather-en", TASK_TURN, "what's the weather in Pleiku tomorrow?", Intent.OUT_OF_SCOPE),
        ("recipe", TASK_TURN, "Cách làm bánh xèo thế nào?", Intent.OUT_OF_SCOPE),
        ("gold", TASK_TURN, "Giá vàng hôm nay bao nhiêu?", Intent.OUT_OF_SCOPE),
        ("hello-after-measure", MEASURE_TURN, "Chào bạn", Intent.HELP),
        pytest.param(
            "coffee-price", TASK_TURN, "gia ca phe hom nay bao nhieu", Intent.OUT_OF_SCOPE
        ),
        pytest.param(
            "coffee-price-after-measure",
            MEASURE_TURN,
            "Giá cà phê hôm nay bao nhiêu?",
            Intent.OUT_OF_SCOPE,
        ),
        pytest.param(
            "joke-en", TASK_TURN, "tell me something funny about football", Intent.OUT_OF_SCOPE
        ),
    ],
)
def test_small_talk_is_not_a_followup(
    fake_assistant: Assistant, name: str, first: str, text: str, intent: Intent
) -> None:
    key = _key(f"small-talk-{name}")
    fake_assistant.converse(key, first)
    answer = fake_assistant.converse(key, text)
    assert answer.understanding["followup"] is False, answer.understanding
    assert answer.intent == intent.value
    assert answer.tasks == []
    assert "tasks" not in _entities(answer)
    assert "markets" not in _entities(answer)


def test_after_small_talk_the_old_subject_is_gone(fake_assistant: Assistant) -> None:
    key = _key("subject-gone")
    fake_assistant.converse(key, "Ai chủ trì nhiệm vụ 3.2?")
    fake_assistant.converse(key, "Xin chào")
    answer = fake_assistant.converse(key, "ai phối hợp?")
    assert answer.understanding["followup"] is False
    assert "tasks" not in _entities(answer)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Ai chủ trì nhiệm vụ 3.2?", "Ai ký kế hoạch?"),
        ("Ai chủ trì nhiệm vụ 3.2?", "Kinh phí lấy từ đâu?"),
        ("Sở Tài chính có trách nhiệm gì?", "Hạn báo cáo hằng năm là khi nào?"),
        pytest.param("Ai chủ trì nhiệm vụ 3.2?", "TBT là gì?"),
        pytest.param("Who leads task 2.1?", "What is TBT?"),
        pytest.param("Ai chủ trì nhiệm vụ 3.2?", "Mục tiêu chung của kế hoạch là gì?"),
        pytest.param("Ai chủ trì nhiệm vụ 3.2?", "Kế hoạch này do ai ký và ban hành ngày nào?"),
        pytest.param(
            "Ai chủ trì nhiệm vụ 3.2?",
            "Doanh nghiệp làm mật ong OCOP thì được hỗ trợ những gì theo kế hoạch này?",
        ),
        pytest.param(
            "Sở Tài chính chủ trì những nhiệm vụ nào?",
            "Mục tiêu và định hướng đến năm 2035 của kế hoạch là gì?",
        ),
        pytest.param(
            "Sở Tài chính có trách nhiệm gì?",
            "Kế hoạch nói gì về chuyển đổi số và đổi mới sáng tạo?",
        ),
        pytest.param(
            "Ai chủ trì nhiệm vụ 3.2?", "Còn mấy ngày nữa là hết hạn gửi báo cáo năm nay?"
        ),
    ],
)
def test_a_complete_new_question_keeps_its_own_intent(
    fake_assistant: Assistant, first: str, second: str
) -> None:
    key = _key(f"new-topic-{first}-{second}")
    fake_assistant.converse(key, first)
    alone = fake_assistant.ask(second)
    assert alone.intent not in (Intent.TASK.value, Intent.AGENCY.value, Intent.AGENCY_TASKS.value)
    answer = fake_assistant.converse(key, second)
    assert answer.intent == alone.intent, answer.understanding


# --- ask stays stateless ---------------------------------------------------------------------


FOLLOWUPS = ["ai phối hợp?", "and the timeframe?", "còn Nhật Bản thì sao?"]


@pytest.mark.parametrize("followup", FOLLOWUPS)
def test_ask_resolves_nothing_against_a_conversation(
    fake_assistant: Assistant, followup: str
) -> None:
    key = _key(f"stateless-{followup}")
    fake_assistant.converse(key, "Who leads task 2.1?")
    fake_assistant.converse(key, "xuất cà phê sang EU cần gì?")
    answer = fake_assistant.ask(followup)
    assert answer.understanding["followup"] is False
    assert answer.tasks == []
    entities = _entities(answer)
    assert "tasks" not in entities and "products" not in entities
    # ...and the conversation still has its own last turn
    last = fake_assistant.dialogues.last(key)
    assert last is not None and last.text == "xuất cà phê sang EU cần gì?"


def test_ask_leaves_no_turn_behind(fake_assistant: Assistant) -> None:
    fake_assistant.ask("Ai chủ trì nhiệm vụ 3.2?")
    key = _key("after-ask")
    assert fake_assistant.dialogues.last(key) is None
    answer = fake_assistant.converse(key, "ai phối hợp?")
    assert answer.understanding["followup"] is False
    assert answer.tasks == []


def test_conversations_do_not_share_turns(fake_assistant: Assistant) -> None:
    one, two = _key("apart-one"), _key("apart-two")
    fake_assistant.converse(one, "Ai chủ trì nhiệm vụ 3.2?")
    fake_assistant.converse(two, "Ai chủ trì nhiệm vụ 5.1?")
    assert fake_assistant.converse(one, "ai phối hợp?").tasks[0].id == "3.2"
    assert fake_assistant.converse(two, "ai phối hợp?").tasks[0].id == "5.1"


class _Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = 1_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_a_stale_turn_is_not_followed_up(
    fake_assistant: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = _Clock()
    monkeypatch.setattr(fake_assistant, "dialogues", Dialogues(ttl=60.0, clock=clock))
    key = _key("stale")
    fake_assistant.converse(key, "Ai chủ trì nhiệm vụ 3.2?")
    clock.now += 61.0
    answer = fake_assistant.converse(key, "ai phối hợp?")
    assert answer.understanding["followup"] is False
    assert answer.tasks == []


# --- Dialogues --------------------------------------------------------------------------------


def _turn(text: str) -> Query:
    return Query(raw=text, text=text, lang="vi", marked=False)


def test_turn_expires_after_ttl() -> None:
    clock = _Clock()
    memory = Dialogues(ttl=60.0, clock=clock)
    key = ("chat", "1")
    turn = _turn("Ai chủ trì nhiệm vụ 3.2?")
    memory.remember(key, turn)
    clock.now += 60.0
    assert memory.last(key) is turn  # exactly at the limit: still recent
    clock.now += 0.5
    assert memory.last(key) is None
    clock.now -= 30.0  # an expired turn is dropped, not hidden
    assert memory.last(key) is None


def test_remembering_again_renews_the_ttl() -> None:
    clock = _Clock()
    memory = Dialogues(ttl=60.0, clock=clock)
    key = ("chat", "1")
    memory.remember(key, _turn("một"))
    clock.now += 50.0
    newer = _turn("hai")
    memory.remember(key, newer)
    clock.now += 50.0
    assert memory.last(key) is newer


def test_unknown_conversation_has_no_last_turn() -> None:
    assert Dialogues().last(("chat", "nobody")) is None


def test_oldest_conversation_goes_when_full() -> None:
    memory = Dialogues(max_size=2, clock=_Clock())
    a, b, c = ("chat", "a"), ("chat", "b"), ("chat", "c")
    memory.remember(a, _turn("a"))
    memory.remember(b, _turn("b"))
    memory.remember(c, _turn("c"))
    assert memory.last(a) is None
    assert memory.last(b) is not None and memory.last(c) is not None


def test_a_new_turn_makes_a_conversation_the_newest() -> None:
    memory = Dialogues(max_size=2, clock=_Clock())
    a, b, c = ("chat", "a"), ("chat", "b"), ("chat", "c")
    memory.remember(a, _turn("a1"))
    memory.remember(b, _turn("b"))
    latest = _turn("a2")
    memory.remember(a, latest)
    memory.remember(c, _turn("c"))
    assert memory.last(b) is None
    assert memory.last(a) is latest
    assert memory.last(c) is not None


def test_forget() -> None:
    memory = Dialogues(clock=_Clock())
    a, b = ("chat", "a"), ("chat", "b")
    memory.remember(a, _turn("a"))
    memory.remember(b, _turn("b"))
    memory.forget(a)
    assert memory.last(a) is None
    assert memory.last(b) is not None
    memory.forget(a)  # forgetting twice, or a conversation never seen, is harmless
    memory.forget(("chat", "never"))


def test_bounded_under_concurrent_use() -> None:
    memory = Dialogues(max_size=50, clock=_Clock())
    turn = _turn("x")

    def talk(worker: int) -> None:
        for i in range(400):
            memory.remember((f"w{worker}", str(i)), turn)
            memory.last((f"w{worker}", str(i - 1)))

    threads = [threading.Thread(target=talk, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    kept = sum(memory.last((f"w{w}", str(i))) is not None for w in range(8) for i in range(400))
    assert kept == 50


def test_followup_after_an_faq_answer(fake_assistant: Assistant) -> None:
    """A FAQ entry matches its own question only: what follows it is searched, not re-matched."""
    key = _key("after-faq")
    first = fake_assistant.converse(key, "Tôi xem quy định kỹ thuật mới của thị trường EU ở đâu?")
    assert first.intent == Intent.FAQ.value
    second = fake_assistant.converse(key, "còn thị trường Mỹ thì sao?")
    assert second.understanding["followup"] is True
    assert second.intent != Intent.FAQ.value
    assert second.answer


def test_the_target_of_the_last_task(fake_assistant: Assistant) -> None:
    """A short question for the target, right after a task, asks for that task's targets."""
    key = _key("target-of-task")
    first = fake_assistant.converse(key, "Who leads task 4?")
    assert first.tasks[0].id == "4"
    second = fake_assistant.converse(key, "What's the target?")
    assert second.understanding["followup"] is True
    assert second.intent == Intent.TARGETS.value
    ids = [s.id for s in second.sources]
    served = [t.id for t in fake_assistant.kb.targets.values() if "4" in t.tasks]
    assert served and ids[: len(served)] == [f"target:{t}" for t in served]


def test_a_vietnamese_followup_is_counted_in_words_not_syllables(
    fake_assistant: Assistant,
) -> None:
    """'đăng ký có thời hạn bao lâu?' is seven syllables but a short follow-up."""
    key = _key("syllables")
    fake_assistant.converse(key, "Ai chủ trì nhiệm vụ 3.2?")
    second = fake_assistant.converse(key, "nhiệm vụ này thực hiện trong thời gian bao lâu?")
    assert second.understanding["followup"] is True
    assert second.tasks and second.tasks[0].id == "3.2"
