"""Question understanding: entities from the knowledge files, intents from example files."""
