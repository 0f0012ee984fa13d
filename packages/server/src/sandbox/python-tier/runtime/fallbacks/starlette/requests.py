"""starlette.requests for a server without starlette: `Request` as a type (Sluice passes its own `__request__`)."""


class Request:
    """Only for annotations and isinstance checks; `__request__` is Sluice's request facts."""
