"""End-to-end tests of the Telegram bot (bot/) against the fake Bot API server."""
