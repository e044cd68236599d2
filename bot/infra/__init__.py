"""Infrastructure: the one place each outside library lives."""
