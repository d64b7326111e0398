"""Gia Lai Standards Assistant: answers questions on the provincial standards plan and TBT."""

__version__ = "0.1.0"
