"""fastapi.requests for a server without fastapi."""

from starlette.requests import Request  # noqa: F401
