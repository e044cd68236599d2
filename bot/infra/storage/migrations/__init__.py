"""Alembic migrations of Paperboy's schema; run them with `paperboy db upgrade` (also done at start)."""
