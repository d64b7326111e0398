"""Run the CLI with `python -m assistant.cli`."""

from assistant.cli import main

raise SystemExit(main())
