"""The Telegram adapter: parses updates, calls the assistant facade, renders HTML."""
