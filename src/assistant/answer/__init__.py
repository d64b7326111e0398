"""Composing answers from records and passages, and rendering them as text."""
