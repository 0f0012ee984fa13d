"""A stand-in for fastapi where it is not installed: the names plugins import for types."""

from starlette.requests import Request  # noqa: F401
from starlette.responses import Response  # noqa: F401


class HTTPException(Exception):
    def __init__(self, status_code, detail=None, headers=None):
        super().__init__(detail if detail is not None else status_code)
        self.status_code = status_code
        self.detail = detail
        self.headers = headers


def Depends(dependency=None):  # noqa: N802 - fastapi's name
    return dependency
