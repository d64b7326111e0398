#!/usr/bin/env bash
# Set up everything, then run the main job: the Telegram bot if TELEGRAM_BOT_TOKEN is set,
# otherwise an interactive local chat.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
.venv/bin/assistant setup
exec .venv/bin/assistant start "$@"
