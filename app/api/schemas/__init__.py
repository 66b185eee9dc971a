"""Pydantic models of the API's requests and answers."""
