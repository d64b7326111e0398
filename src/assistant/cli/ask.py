"""`assistant ask` and `assistant chat`: questions in, answers with sources out."""

from __future__ import annotations

import argparse
import getpass
import io
import json
import sys
from collections.abc import Iterable
from typing import TextIO

from assistant.answer.models import Answer
from assistant.cli.forwards import CLI_CHANNEL
from assistant.forwarding import ForwardDesk
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.store import Store


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ask and chat subcommands."""
    parser = sub.add_parser("ask", help="answer a question ('-' reads one per line from stdin)")
    parser.add_argument("question", nargs="+", help="the question, or - for stdin")
    parser.add_argument("--json", action="store_true", help="print one JSON object per answer")
    parser.set_defaults(func=run_ask)
    chat = sub.add_parser("chat", help="interactive console chat")
    chat.set_defaults(func=run_chat)


def show(answer: Answer) -> str:
    """An answer with its sources, for the console."""
    lines = [answer.answer]
    if answer.sources:
        lines.append("")
        lines.append("Sources:" if answer.lang == "en" else "Nguồn:")
        lines.extend(f"  - {s.id} ({s.file})" for s in answer.sources[:6])
    return "\n".join(lines)


def run_ask(args: argparse.Namespace, settings: Settings) -> int:
    """Answer the question(s) given on the command line or stdin."""
    assistant = Assistant(settings)
    questions: Iterable[str]
    if args.question == ["-"]:
        questions = (line.rstrip("\n") for line in readable_stdin())
    else:
        questions = [" ".join(args.question)]
    for question in questions:
        answer = assistant.ask(question)
        if args.json:
            print(json.dumps(answer.public(), ensure_ascii=False), flush=True)
        else:
            print(show(answer))
            print()
    return 0


def readable_stdin() -> TextIO:
    """Standard input as UTF-8 whose undecodable bytes become U+FFFD: one bad byte in a batch
    of questions spoils its line, not the batch."""
    if isinstance(sys.stdin, io.TextIOWrapper):
        sys.stdin.reconfigure(encoding="utf-8", errors="replace")
    return sys.stdin


FORWARD_WORDS = {"/forward", "/chuyen", "/chuyển"}


def run_chat(args: argparse.Namespace, settings: Settings) -> int:
    """A console conversation with the same answers the bot gives (follow-ups included).

    After a decline inside the domain, `/forward` hands the question to the Department's staff;
    their reply (`assistant forwards reply N …`) is shown when the chat next starts.
    """
    assistant = Assistant(settings)
    desk = ForwardDesk(Store(settings.db_path), assistant)
    user = getpass.getuser()
    print("Trợ lý Tiêu chuẩn Gia Lai — loading…", flush=True)
    print(show(assistant.help("vi")))
    for forward in desk.store.undelivered(CLI_CHANNEL):
        if forward.user_id == user:
            head = f"📬 Sở KH&CN trả lời câu hỏi #{forward.id} «{forward.question}»:"
            print(f"\n{head}\n{forward.reply}")
            desk.store.mark_delivered(forward.id)
    print("\n(Gõ câu hỏi; 'q' hoặc Ctrl-D để thoát / type 'q' or Ctrl-D to quit)")
    readable_stdin()
    declined: Answer | None = None
    while True:
        try:
            question = input("\n> ")
        except EOFError:
            print()
            return 0
        if question.strip().lower() in {"q", "quit", "exit", "thoát", "thoat"}:
            return 0
        if question.strip().lower() in FORWARD_WORDS:
            if declined is None:
                print("Chưa có câu hỏi nào để chuyển. / Nothing to forward yet.")
                continue
            opened = desk.open(CLI_CHANNEL, user, user, declined.question, declined.lang)
            print(
                f"Đã chuyển câu hỏi #{opened.forward.id} tới cán bộ Sở; trả lời sẽ hiện ở lần "
                "mở chat sau. / Forwarded; the reply shows next time you open the chat."
            )
            declined = None
            continue
        answer = assistant.converse(("cli", user), question)
        print(show(answer))
        declined = answer if answer.forwardable else None
        if declined is not None:
            print(
                "\n(Gõ /forward để gửi câu hỏi này cho cán bộ Sở. / Type /forward to ask the "
                "Department's staff.)"
            )
