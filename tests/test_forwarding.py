"""The channel-neutral forwarding desk and its CLI: forward, reply, wait, save as an FAQ entry."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from assistant.cli import main
from assistant.errors import InputError
from assistant.forwarding import ForwardDesk
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.store import Store

TODAY = dt.date(2026, 12, 2)
QUESTION = "Hạn chót nộp hồ sơ xin hỗ trợ xây dựng mô hình điểm năm 2027 là ngày nào?"
REPLY = "Kế hoạch không đặt hạn này; Sở thông báo khi mở đợt hỗ trợ năm 2027."


@pytest.fixture
def settings(tmp_path: Path, knowledge_copy: Path) -> Settings:
    """A fake-encoder assistant's settings over a writable copy of the knowledge."""
    return Settings(encoder="fake", data_dir=tmp_path / "data", knowledge_dir=knowledge_copy)


@pytest.fixture
def desk(settings: Settings) -> ForwardDesk:
    assistant = Assistant(settings)
    assistant.build()
    return ForwardDesk(Store(settings.db_path), assistant)


def test_a_declined_question_is_forwardable_and_small_talk_is_not(desk: ForwardDesk) -> None:
    declined = desk.assistant.ask(QUESTION, today=TODAY)
    assert declined.confident is False and declined.forwardable is True
    small_talk = desk.assistant.ask("thời tiết Pleiku ngày mai thế nào?", today=TODAY)
    assert small_talk.confident is False and small_talk.forwardable is False
    answered = desk.assistant.ask("Ai chủ trì nhiệm vụ 3.2?", today=TODAY)
    assert answered.confident is True and answered.forwardable is False


def test_forward_reply_and_save_as_faq(desk: ForwardDesk) -> None:
    opened = desk.open("telegram", "7", "7", QUESTION, "vi", question_id=11)
    assert opened.new and opened.forward.status == "open"
    assert "intent:" in opened.forward.searched and "closest" in opened.forward.searched
    assert desk.open("telegram", "7", "7", QUESTION, "vi", question_id=11).new is False

    now = dt.datetime.now(dt.UTC) + dt.timedelta(hours=5)
    [(waiting, waited)] = desk.waiting(now)
    assert waiting.id == opened.forward.id and waited >= dt.timedelta(hours=4, minutes=59)

    with pytest.raises(InputError):
        desk.save_as_faq(opened.forward.id, TODAY)  # no reply yet
    with pytest.raises(InputError):
        desk.reply(999, "staff", REPLY)
    with pytest.raises(InputError):
        desk.reply(opened.forward.id, "staff", "   ")
    replied = desk.reply(opened.forward.id, "42", REPLY)
    assert replied.status == "answered" and replied.reply == REPLY and replied.staff_id == "42"
    assert desk.waiting(now) == []
    assert [f.id for f in desk.store.undelivered("telegram")] == [opened.forward.id]

    entry_id = desk.save_as_faq(opened.forward.id, TODAY)
    assert entry_id.startswith(f"faq-staff-{opened.forward.id}-")
    assert desk.save_as_faq(opened.forward.id, TODAY) == entry_id  # saved once
    faq = yaml.safe_load((desk.assistant.settings.knowledge_dir / "tbt/faq.yaml").read_text())
    [entry] = [e for e in faq["entries"] if e["id"] == entry_id]
    assert entry["title_vi"] == QUESTION and entry["text_vi"] == REPLY
    assert entry["sources"][0]["ref"] == f"#{opened.forward.id}, 2/12/2026"

    answer = desk.assistant.ask(QUESTION, today=TODAY)  # answered from now on
    assert answer.confident and answer.intent == "faq" and REPLY in answer.answer
    assert answer.sources[0].id == f"tbt:{entry_id}"


def test_staff_answer_from_the_terminal(
    settings: Settings,
    desk: ForwardDesk,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for key, value in (
        ("ASSISTANT_ENCODER", "fake"),
        ("ASSISTANT_DATA_DIR", str(settings.data_dir)),
        ("ASSISTANT_KNOWLEDGE_DIR", str(settings.knowledge_dir)),
    ):
        monkeypatch.setenv(key, value)
    opened = desk.open("cli", "someone", "someone", QUESTION, "vi")
    assert main(["forwards"]) == 0
    listed = capsys.readouterr().out
    assert f"#{opened.forward.id}" in listed and QUESTION in listed
    assert main(["forwards", "reply", str(opened.forward.id), *REPLY.split()]) == 0
    assert "recorded" in capsys.readouterr().out
    assert main(["forwards", "faq", str(opened.forward.id)]) == 0
    assert "faq-staff-" in capsys.readouterr().out
    assert main(["forwards", "reply", "999", "x"]) == 1
    assert "no forwarded question #999" in capsys.readouterr().err
