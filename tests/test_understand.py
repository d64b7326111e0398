"""Question understanding on the fake encoder: learned intents, refinements, and the contract
between understanding and answering (a full record in Query, no re-reading, one forward)."""

from __future__ import annotations

import ast
import json
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
import yaml

import assistant.answer
from assistant.answer.compose import HANDLERS
from assistant.embed.base import Vectors
from assistant.nlu.classifier import INTENTS_DIR
from assistant.nlu.query import Intent, Query
from assistant.service import Assistant

ANSWER_DIR = Path(assistant.answer.__file__).parent

# Fresh questions for every learned intent (one per file in nlu/intents/), written for these
# tests and not taken from the example files: Vietnamese with marks, without marks, English.
FRESH: dict[Intent, tuple[str, ...]] = {
    Intent.AGENCY: (
        "Sở Công Thương được kế hoạch giao những trách nhiệm gì?",
        "trach nhiem cua so tai chinh trong ke hoach la gi",
        "What are the responsibilities of the Department of Science and Technology under the plan?",
        "Chi cục TĐC đóng vai trò gì trong việc triển khai?",
    ),
    Intent.AGENCY_BY_DUTY: (
        "Cơ quan nào được giao tổng hợp kết quả và báo cáo Bộ Khoa học và Công nghệ?",
        "co quan nao huong dan kiem tra viec trien khai ke hoach o cac xa",
        "Which agency consolidates the funding needs of the departments?",
        "Bên nào phải xem xét, thẩm định dự toán mà các sở gửi lên?",
    ),
    Intent.AGENCY_LIST: (
        "Có những cơ quan, đơn vị nào được phân công trong kế hoạch này?",
        "liet ke tat ca co quan co ten trong ke hoach",
        "Which organisations are named in the plan?",
    ),
    Intent.AGENCY_TASKS: (
        "Sở Tài chính phối hợp trong những nhiệm vụ nào?",
        "so khcn chu tri nhung nv nao vay",
        "Which tasks is the Department of Finance a partner in?",
        "Chi cục TĐC chủ trì mấy nhiệm vụ?",
    ),
    Intent.AMOUNT: (
        "Mỗi doanh nghiệp được hỗ trợ bao nhiêu tiền khi chứng nhận ISO 9001?",
        "muc ho tro toi da cho hop tac xa la bao nhieu tien",
        "How much money does the plan give each cooperative?",
        "Được hỗ trợ mấy triệu đồng cho một chứng nhận VietGAP?",
    ),
    Intent.CONTACT: (
        "Cho tôi số điện thoại của Sở Khoa học và Công nghệ.",
        "email cua chi cuc tdc la gi vay",
        "How do I reach the Sub-department of Standards, Metrology and Quality by email?",
        "Làm cách nào để gọi điện cho Sở Tài chính?",
    ),
    Intent.DEADLINE: (
        "Hạn nộp báo cáo kết quả hằng năm là ngày nào?",
        "khi nao phai nop bao cao cho so khcn",
        "When is the annual report due to the Department of Science and Technology?",
        "Bao giờ là hạn cuối gửi báo cáo năm 2027?",
    ),
    Intent.DOCUMENT: (
        "Kế hoạch được xây dựng căn cứ theo những văn bản pháp lý nào?",
        "qd 876/qd-ttg ky ngay nao",
        "When was Resolution 57-NQ/TW adopted?",
        "Luật số 68/2006/QH11 có tên gọi là gì?",
    ),
    Intent.FREE: (
        "Kế hoạch nói gì về phát triển kinh tế số?",
        "ke hoach noi gi ve kinh te so",
        "What does the plan say about innovation?",
        "Mục II của kế hoạch viết những gì?",
    ),
    Intent.FUNDING: (
        "Nguồn kinh phí để thực hiện kế hoạch lấy ở đâu?",
        "kinh phi thuc hien ke hoach tu nguon nao vay",
        "Where does the funding for the plan come from?",
        "Ngân sách tỉnh có chi cho việc thực hiện kế hoạch không?",
    ),
    Intent.HELP: (
        "Xin chào, bạn giúp gì được cho tôi?",
        "cam on ban nhe",
        "Hello, what can you do?",
        "hi there, how does this bot work?",
    ),
    Intent.MEASURE: (
        "Xuất khẩu hạt điều sang EU cần đáp ứng yêu cầu gì?",
        "xuat ho tieu sang my can giay to gi",
        "What does Japan require for imported timber?",
        "Nhật Bản yêu cầu gì với đồ gỗ nội thất nhập khẩu?",
    ),
    Intent.META: (
        "Ai là người ký kế hoạch này?",
        "ke hoach nay ban hanh ngay nao vay",
        "Who signed this plan?",
        "Văn bản kế hoạch này do ai ký và ký với chức danh gì?",
    ),
    Intent.OUT_OF_SCOPE: (
        "Hôm nay Pleiku có mưa không?",
        "gia sau rieng hom nay bao nhieu",
        "recommend a good restaurant in Pleiku",
        "Cách làm bánh xèo thế nào?",
    ),
    Intent.SUPPORT: (
        "Hợp tác xã của tôi trồng cà phê có được hỗ trợ gì không?",
        "dn toi muon lam vietgap co duoc ho tro khong",
        "What support can my company get to apply ISO 22000?",
        "Cơ sở OCOP của tôi làm trà muốn được hỗ trợ, tôi cần làm gì?",
    ),
    Intent.TARGETS: (
        "Mục tiêu của kế hoạch đến năm 2030 là gì?",
        "chi tieu ve truy xuat nguon goc den 2030",
        "What does the plan want to achieve by 2035?",
        "Kế hoạch đặt chỉ tiêu bao nhiêu doanh nghiệp áp dụng truy xuất nguồn gốc?",
    ),
    Intent.TASK: (
        "Nhiệm vụ 3.3 do cơ quan nào chủ trì?",
        "nv 5.2 ai phoi hop",
        "Who coordinates task 2.3?",
        "Thời gian thực hiện nhiệm vụ 4 là bao lâu?",
    ),
    Intent.TASK_LIST: (
        "Kế hoạch có tất cả bao nhiêu nhiệm vụ?",
        "liet ke tat ca nhiem vu trong phu luc",
        "How many tasks are in the plan?",
        "Cho tôi danh sách toàn bộ nhiệm vụ.",
    ),
    Intent.TBT: (
        "Hàng rào kỹ thuật trong thương mại nghĩa là gì?",
        "dang ky nhan canh bao eping the nao",
        "What is the WTO TBT enquiry point?",
        "Làm sao để góp ý dự thảo quy chuẩn của nước nhập khẩu?",
    ),
}


def _intent_files() -> list[Path]:
    return sorted(INTENTS_DIR.glob("*.yaml"))


def _file_intent(path: Path) -> str:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return str(data["intent"])


def _in_unit_interval(value: object) -> bool:
    return isinstance(value, float) and 0.0 <= value <= 1.0


# --- learned intents ------------------------------------------------------------------------


def test_every_learned_intent_has_fresh_questions() -> None:
    learned = {Intent(_file_intent(p)) for p in _intent_files()}
    assert set(FRESH) == learned
    for intent, questions in FRESH.items():
        assert len(questions) >= 2, intent


def test_fresh_questions_are_not_training_examples() -> None:
    examples: set[str] = set()
    for path in _intent_files():
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        examples |= {" ".join(str(x).lower().split()) for x in data["examples"]}
    for questions in FRESH.values():
        for question in questions:
            assert " ".join(question.lower().split()) not in examples, question


@pytest.mark.parametrize(
    ("intent", "question"),
    [(intent, question) for intent, questions in FRESH.items() for question in questions],
    ids=[f"{intent.value}-{i}" for intent, qs in FRESH.items() for i in range(len(qs))],
)
def test_learned_intent(fake_assistant: Assistant, intent: Intent, question: str) -> None:
    q = fake_assistant.understand(question)
    assert q.intent is intent, q.decisions()
    assert _in_unit_interval(q.confidence), q.confidence
    assert _in_unit_interval(q.margin), q.margin
    assert q.margin <= q.confidence
    assert q.ranking and q.ranking[0] == (q.predicted, q.confidence)
    assert q.vector is not None


# --- refinements decided by entities ---------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    ["Ai chủ trì nhiệm vụ 6.2?", "nv 7.1 do ai phoi hop", "Who leads task 9.7?"],
)
def test_unknown_task(fake_assistant: Assistant, question: str) -> None:
    q = fake_assistant.understand(question)
    assert q.intent is Intent.TASK_UNKNOWN, q.decisions()
    assert q.entities.unknown_tasks and not q.entities.tasks


@pytest.mark.parametrize(
    ("question", "group"),
    [
        ("Nhóm 4 gồm những nhiệm vụ nào?", "4"),
        ("nhiệm vụ 2 gồm những gì?", "2"),
        ("ai chủ trì nhiệm vụ 2", "2"),
        ("Which tasks are in group 5?", "5"),
        ("nhom 3 co nhung nv nao", "3"),
    ],
)
def test_group(fake_assistant: Assistant, question: str, group: str) -> None:
    q = fake_assistant.understand(question)
    assert q.intent is Intent.GROUP, q.decisions()
    assert q.entities.groups == [group]


@pytest.mark.parametrize(
    ("question", "timeframe"),
    [
        ("nhiệm vụ nào thực hiện hằng năm", "annual"),
        ("Which tasks are carried out annually?", "annual"),
        ("nhung nv nao lam theo giai doan 2026-2030", "period"),
        ("Những nhiệm vụ nào không thực hiện hằng năm?", "period"),
    ],
)
def test_timeframe(fake_assistant: Assistant, question: str, timeframe: str) -> None:
    q = fake_assistant.understand(question)
    assert q.intent is Intent.TIMEFRAME, q.decisions()
    assert q.timeframe == timeframe


@pytest.mark.parametrize(
    ("question", "note"),
    [
        ("Kế hoạch tiêu chuẩn của tỉnh Đắk Lắk có bao nhiêu nhiệm vụ?", "Đắk Lắk"),
        ("Ai chủ trì nhiệm vụ 3.2 trong kế hoạch của Hà Nội?", "Hà Nội"),
        ("What are the targets of Da Nang's standards plan?", "Đà Nẵng"),
    ],
)
def test_another_provinces_plan(fake_assistant: Assistant, question: str, note: str) -> None:
    q = fake_assistant.understand(question)
    assert q.intent is Intent.OTHER_SCOPE, q.decisions()
    assert q.scope_note == note


@pytest.mark.parametrize(
    ("question", "number"),
    [
        ("Quyết định 1234/QĐ-UBND quy định gì?", "1234/qd-ubnd"),
        ("Kế hoạch 99/KH-UBND giao nhiệm vụ gì cho Sở Tài chính?", "99/kh-ubnd"),
    ],
)
def test_unknown_document_is_another_scope(
    fake_assistant: Assistant, question: str, number: str
) -> None:
    q = fake_assistant.understand(question)
    assert q.intent is Intent.OTHER_SCOPE, q.decisions()
    assert q.scope_note == number


@pytest.mark.parametrize(
    "question",
    [
        "Gia Lai: ai chủ trì nhiệm vụ 3.2?",
        "Kế hoạch của tỉnh Gia Lai (Bình Định cũ) giao ai chủ trì nhiệm vụ 3.4?",
        "Quyết định 876/QĐ-TTg ký ngày nào?",
    ],
)
def test_own_province_and_known_documents_stay_in_scope(
    fake_assistant: Assistant, question: str
) -> None:
    q = fake_assistant.understand(question)
    assert q.intent is not Intent.OTHER_SCOPE, q.decisions()
    assert q.scope_note is None


@pytest.mark.parametrize(
    ("question", "measure"),
    [
        ("EUDR áp dụng từ ngày nào?", "eu-eudr"),
        ("Hạn chót báo cáo theo EUDR là ngày nào?", "eu-eudr"),
        ("When does the PPWR start to apply?", "eu-ppwr"),
        ("Hạn cuối tuân thủ luật chống phá rừng là khi nào?", "eu-eudr"),
        ("G/TBT/N/CHN/1964 có hiệu lực từ bao giờ?", "cn-gacc-decree-280"),
    ],
)
def test_named_measure_with_a_date_question(
    fake_assistant: Assistant, question: str, measure: str
) -> None:
    q = fake_assistant.understand(question)
    assert q.intent is Intent.MEASURE, q.decisions()
    assert q.entities.measures == [measure]


@pytest.mark.parametrize("question", ["", "   ", "???", "!!! ... ---"])
def test_empty_question(fake_assistant: Assistant, question: str) -> None:
    q = fake_assistant.understand(question)
    assert q.intent is Intent.EMPTY
    assert q.vector is None


# --- the record of decisions ----------------------------------------------------------------


def test_decisions_carry_intent_confidence_entities(fake_assistant: Assistant) -> None:
    q = fake_assistant.understand("Ai chủ trì nhiệm vụ 3.2?")
    d = q.decisions()
    keys = {"intent", "predicted", "confidence", "margin", "entities", "aspects", "followup"}
    assert keys <= set(d)
    assert d["intent"] == Intent.TASK.value == q.intent.value
    assert d["predicted"] == q.predicted
    assert _in_unit_interval(d["confidence"])
    assert _in_unit_interval(d["margin"])
    assert d["confidence"] == round(q.confidence, 3)
    assert d["entities"] == {"tasks": ["3.2"]}  # empty kinds are left out
    assert d["aspects"] == ["lead"]
    assert d["followup"] is False
    json.dumps(d)  # it goes to logs and `ask --json` as is


def test_decisions_record_exclusions_and_refinements(fake_assistant: Assistant) -> None:
    d = fake_assistant.understand("Nhiệm vụ nào không do Sở KH&CN chủ trì?").decisions()
    assert d["intent"] == Intent.AGENCY_TASKS.value
    assert d["entities"] == {"excluded": {"agencies": ["so-khcn"]}}

    d = fake_assistant.understand("Ai chủ trì nhiệm vụ 9.7?").decisions()
    assert d["intent"] == Intent.TASK_UNKNOWN.value
    assert d["predicted"] == Intent.TASK.value  # what the classifier said, before refinement
    assert d["entities"] == {"unknown_tasks": ["9.7"]}


def test_answer_carries_the_decisions(fake_assistant: Assistant) -> None:
    question = "Xuất khẩu hạt điều sang EU cần đáp ứng yêu cầu gì?"
    answer = fake_assistant.ask(question)
    assert answer.understanding == fake_assistant.understand(question).decisions()
    assert answer.intent == answer.understanding["intent"] == Intent.MEASURE.value


# --- the intent table -----------------------------------------------------------------------


def test_every_intent_has_a_handler() -> None:
    assert set(HANDLERS) == set(Intent)
    assert all(callable(handler) for handler in HANDLERS.values())


@pytest.mark.parametrize("path", _intent_files(), ids=lambda p: p.name)
def test_intent_file_names_a_member_of_intent(path: Path) -> None:
    name = _file_intent(path)
    assert name in {i.value for i in Intent}, f"{path.name}: intent {name!r} is not an Intent"
    assert Intent(name) in HANDLERS


def test_trained_classes_are_the_intent_files(fake_assistant: Assistant) -> None:
    model = fake_assistant.state.understander.model
    assert model is not None
    assert set(model.classes) == {_file_intent(p) for p in _intent_files()}
    assert all(Intent(c) in HANDLERS for c in model.classes)


# --- the answer stage never re-reads the question --------------------------------------------

REGEX_CALLS = {"search", "findall", "finditer", "match", "fullmatch", "sub", "subn"}
QUERY_NAMES = {"q", "query"}
QUESTION_FIELDS = {"text", "raw"}


def _imports_lexicon(node: ast.AST) -> bool:
    if isinstance(node, ast.ImportFrom):
        parts = (node.module or "").split(".")
        names = {alias.name for alias in node.names}
        return "lexicon" in parts or ("nlu" in parts and "lexicon" in names)
    if isinstance(node, ast.Import):
        return any("lexicon" in alias.name.split(".") for alias in node.names)
    return False


def _reads_question(node: ast.AST) -> bool:
    """Whether an expression mentions q.text / q.raw."""
    return any(
        isinstance(sub, ast.Attribute)
        and sub.attr in QUESTION_FIELDS
        and isinstance(sub.value, ast.Name)
        and sub.value.id in QUERY_NAMES
        for sub in ast.walk(node)
    )


def _is_re_compile(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "compile"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "re"
    )


def _compiled_patterns(tree: ast.AST) -> set[str]:
    """Names bound to re.compile(...) anywhere in a module (PATTERN = re.compile(...))."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            if not _is_re_compile(node.value):
                continue
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    names.add(target.id)
                elif isinstance(target, ast.Attribute):
                    names.add(target.attr)
    return names


def _regex_on_question(node: ast.AST, patterns: set[str]) -> bool:
    """re.search(..., q.text), PATTERN.findall(q.text) and the like (not retrieval's search)."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
        return False
    if node.func.attr not in REGEX_CALLS:
        return False
    owner = node.func.value
    is_regex = (isinstance(owner, ast.Name) and owner.id in {"re", *patterns}) or (
        isinstance(owner, ast.Attribute) and owner.attr in patterns
    )
    args: list[ast.AST] = [*node.args, *(k.value for k in node.keywords)]
    return is_regex and any(_reads_question(arg) for arg in args)


def _offences(source: str, filename: str) -> list[str]:
    found = []
    tree = ast.parse(source, filename=filename)
    patterns = _compiled_patterns(tree)
    for node in ast.walk(tree):
        if _imports_lexicon(node):
            found.append(f"{filename}:{getattr(node, 'lineno', '?')}: imports the lexicon")
        if _regex_on_question(node, patterns):
            found.append(f"{filename}:{getattr(node, 'lineno', '?')}: regex on the question")
    return found


def test_the_check_itself_finds_offences() -> None:
    bad = (
        "import re\n"
        "from assistant.nlu.lexicon import lexicon\n"
        "from assistant.nlu import lexicon as lx\n"
        "import assistant.nlu.lexicon\n"
        "PATTERN = re.compile(r'x')\n"
        "def f(q):\n"
        "    re.search(r'x', q.text)\n"
        "    re.findall(r'x', fold_plain(q.text))\n"
        "    PATTERN.search(string=q.raw)\n"
    )
    assert len(_offences(bad, "bad.py")) == 6
    good = (
        "import re\n"
        "def f(self, q, chunk):\n"
        "    re.search(r'x', chunk.text)\n"
        "    self.searcher.search(q.text, q.lang, vector=q.vector)\n"  # retrieval, not a regex
        "    return q.intent\n"
    )
    assert _offences(good, "good.py") == []


def test_answer_stage_never_rereads_the_question() -> None:
    modules = sorted(ANSWER_DIR.glob("*.py"))
    assert len(modules) >= 5  # compose, records, search_intents, draft, ...
    offences = [
        o for path in modules for o in _offences(path.read_text(encoding="utf-8"), path.name)
    ]
    assert offences == []


# --- one encoder forward per question ------------------------------------------------------


class _CountingEncode:
    """Wraps encode_queries and counts the calls (and the texts of each)."""

    def __init__(self, inner: Callable[[Sequence[str]], Vectors]) -> None:
        self.inner = inner
        self.batches: list[list[str]] = []

    def __call__(self, texts: Sequence[str]) -> Vectors:
        self.batches.append(list(texts))
        return self.inner(texts)


@pytest.fixture
def counted(fake_assistant: Assistant, monkeypatch: pytest.MonkeyPatch) -> _CountingEncode:
    """The assistant's encoder with a counter on encode_queries (loaded before counting)."""
    _ = fake_assistant.state
    encoder = fake_assistant.encoder
    counter = _CountingEncode(encoder.encode_queries)
    monkeypatch.setattr(encoder, "encode_queries", counter)
    return counter


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("Kế hoạch nói gì về phát triển kinh tế số?", Intent.FREE),
        ("Who coordinates task 2.3?", Intent.TASK),
        ("Xuất khẩu hạt điều sang EU cần đáp ứng yêu cầu gì?", Intent.MEASURE),
        ("EUDR áp dụng từ ngày nào?", Intent.MEASURE),
        ("Hàng rào kỹ thuật trong thương mại nghĩa là gì?", Intent.TBT),
        ("Mục tiêu của kế hoạch đến năm 2030 là gì?", Intent.TARGETS),
    ],
)
def test_one_encoder_forward_per_question(
    fake_assistant: Assistant, counted: _CountingEncode, question: str, intent: Intent
) -> None:
    answer = fake_assistant.ask(question)
    assert answer.intent == intent.value
    assert counted.batches == [[question]]


def test_an_empty_question_costs_no_forward(
    fake_assistant: Assistant, counted: _CountingEncode
) -> None:
    fake_assistant.ask("???")
    assert counted.batches == []


def test_a_followup_costs_one_forward(fake_assistant: Assistant, counted: _CountingEncode) -> None:
    key = ("test", "understand-followup-forward")
    fake_assistant.converse(key, "Ai chủ trì nhiệm vụ 3.2?")
    fake_assistant.converse(key, "ai phối hợp?")
    assert counted.batches == [["Ai chủ trì nhiệm vụ 3.2?"], ["ai phối hợp?"]]


def test_understanding_alone_is_one_forward(
    fake_assistant: Assistant, counted: _CountingEncode
) -> None:
    q: Query = fake_assistant.understand("nv 5.2 ai phoi hop")
    assert q.intent is Intent.TASK
    assert len(counted.batches) == 1


def test_a_paragraph_shared_by_several_tasks_goes_to_the_best_ranked_one(
    fake_assistant: Assistant,
) -> None:
    """Tasks 2.1 to 2.3 all sit in section III.2: the ranking decides, not the file order."""
    composer = fake_assistant.state.composer
    assert composer._task_of_paragraph("III.2.c", {"task:2.3": 3, "task:4": 7}) == "2.3"
    assert composer._task_of_paragraph("III.2.c", {}) == "2.1"  # no evidence: the first
    assert composer._task_of_paragraph("III.4.d", {}) == "4"
    assert composer._task_of_paragraph("V.2", {}) is None


@pytest.mark.parametrize(
    "question",
    [
        "Germany's standardization strategy: what are its priorities?",
        "Chiến lược tiêu chuẩn hóa của Nhật Bản có những ưu tiên gì?",
        "lo trinh tieu chuan cua Han Quoc den 2030",
    ],
)
def test_another_countrys_strategy_is_another_scope(
    fake_assistant: Assistant, question: str
) -> None:
    q = fake_assistant.understand(question)
    assert q.intent is Intent.OTHER_SCOPE, q.decisions()
    assert q.scope_note


@pytest.mark.parametrize(
    "question",
    [
        "What are Japan's requirements for wooden furniture?",
        "Kế hoạch của tỉnh có chiến lược hỗ trợ xuất khẩu sang Hàn Quốc không?",
    ],
)
def test_a_market_in_a_trade_question_is_not_another_scope(
    fake_assistant: Assistant, question: str
) -> None:
    assert fake_assistant.understand(question).intent is not Intent.OTHER_SCOPE


def test_a_horizontal_measure_concerns_every_product(fake_assistant: Assistant) -> None:
    composer = fake_assistant.state.composer
    found = {m.id for m in composer.matching_measures(["pepper"], ["EU"])}
    assert {"eu-ppwr", "eu-forced-labour"} <= found  # all packaging, all products
    assert "eu-eudr" not in found  # coffee, rubber, wood: not pepper
    assert {m.id for m in composer.matching_measures(["pepper"], ["US"])}.isdisjoint(found)
