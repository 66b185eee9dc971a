"""Watching the sources: a polite crawler, the main text of a page, and the outcome of each check."""
