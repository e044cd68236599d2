"""Plain typed values of Paperboy's world: no I/O, no frameworks."""
