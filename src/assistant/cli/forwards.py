"""`assistant forwards`: staff answer forwarded questions from the terminal."""

from __future__ import annotations

import argparse
import datetime as dt

from assistant.forwarding import ForwardDesk
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.store import Store

CLI_CHANNEL = "cli"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the forwards command group."""
    parser = sub.add_parser("forwards", help="questions handed to staff: list, reply, save as FAQ")
    actions = parser.add_subparsers(dest="forwards_command", metavar="ACTION")
    parser.set_defaults(func=run_list)
    reply = actions.add_parser("reply", help="answer forwarded question N")
    reply.add_argument("id", type=int)
    reply.add_argument("text", nargs="+")
    reply.add_argument("--staff", default="cli", help="who answers (default: cli)")
    reply.set_defaults(func=run_reply)
    faq = actions.add_parser("faq", help="save question N and its reply as an FAQ entry")
    faq.add_argument("id", type=int)
    faq.set_defaults(func=run_faq)


def desk(settings: Settings) -> ForwardDesk:
    """The forwarding desk over the shared database."""
    return ForwardDesk(Store(settings.db_path), Assistant(settings))


def run_list(args: argparse.Namespace, settings: Settings) -> int:
    """Print the forwarded questions still waiting, oldest first."""
    waiting = desk(settings).waiting(dt.datetime.now(dt.UTC))
    if not waiting:
        print("no forwarded question is waiting")
    for forward, waited in waiting:
        hours = waited.total_seconds() / 3600
        print(f"#{forward.id}  {hours:.1f} h  [{forward.channel}] {forward.question}")
        for line in forward.searched.splitlines():
            print(f"      {line}")
    return 0


def run_reply(args: argparse.Namespace, settings: Settings) -> int:
    """Record a reply; the bot delivers it to a Telegram asker within a minute."""
    forward = desk(settings).reply(args.id, args.staff, " ".join(args.text))
    where = (
        "the local chat shows it when the asker next opens it"
        if forward.channel == CLI_CHANNEL
        else "the bot delivers it to the asker within a minute"
    )
    print(f"reply to #{forward.id} recorded; {where}")
    return 0


def run_faq(args: argparse.Namespace, settings: Settings) -> int:
    """Save a replied question as an FAQ entry (validated, indexed)."""
    front = desk(settings)
    entry = front.save_as_faq(args.id, front.assistant.today())
    print(f"saved as {entry} in knowledge/tbt/faq.yaml; the assistant answers it from now on")
    return 0
