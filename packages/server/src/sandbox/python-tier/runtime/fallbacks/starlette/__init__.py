"""A stand-in for starlette where it is not installed: the names plugins import for types."""
