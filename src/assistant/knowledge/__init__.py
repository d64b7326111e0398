"""Knowledge files: models, line-aware parsing and the one-pass loader."""
