"""`assistant ask` and `assistant chat`: questions in, answers with sources out."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable

from assistant.answer.models import Answer
from assistant.service import Assistant
from assistant.settings import Settings


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
        questions = (line.rstrip("\n") for line in sys.stdin)
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


def run_chat(args: argparse.Namespace, settings: Settings) -> int:
    """A console conversation with the same answers the bot gives (follow-ups included)."""
    assistant = Assistant(settings)
    print("Trợ lý Tiêu chuẩn Gia Lai — loading…", flush=True)
    print(show(assistant.ask("")))
    print("\n(Gõ câu hỏi; 'q' hoặc Ctrl-D để thoát / type 'q' or Ctrl-D to quit)")
    while True:
        try:
            question = input("\n> ")
        except EOFError:
            print()
            return 0
        if question.strip().lower() in {"q", "quit", "exit", "thoát", "thoat"}:
            return 0
        print(show(assistant.converse(("cli", "local"), question)))
