"""fastapi.responses for a server without fastapi: starlette's response classes (see there)."""

from starlette.responses import (  # noqa: F401
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
