"""One module per handler family; wiring lives in bot.app.build_application."""
