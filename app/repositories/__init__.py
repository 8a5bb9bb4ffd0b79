"""Reads and writes of our own tables. Repositories add and flush; they never commit —
whoever started the unit of work commits it. Every query is scoped by ``member_id``."""
