"""The response classes plugins import from fastapi or starlette, for a server without them.

Plugins use them as values: a pipe returns a `StreamingResponse` whose `body_iterator` Sluice
reads, a tool returns an `HTMLResponse` that becomes an embed. Nothing here serves HTTP.
"""


class Response:
    media_type = None

    def __init__(self, content=None, status_code=200, headers=None, media_type=None, background=None):
        self.status_code = status_code
        self.headers = dict(headers or {})
        if media_type is not None:
            self.media_type = media_type
        self.background = background
        self.body = self.render(content)

    def render(self, content):
        if content is None:
            return b""
        if isinstance(content, (bytes, bytearray)):
            return bytes(content)
        return str(content).encode("utf-8")


class HTMLResponse(Response):
    media_type = "text/html"


class PlainTextResponse(Response):
    media_type = "text/plain"


class JSONResponse(Response):
    media_type = "application/json"

    def render(self, content):
        import json

        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class StreamingResponse(Response):
    def __init__(self, content, status_code=200, headers=None, media_type=None, background=None):
        self.status_code = status_code
        self.headers = dict(headers or {})
        self.media_type = media_type
        self.background = background
        self.body_iterator = content


class RedirectResponse(Response):
    def __init__(self, url, status_code=307, headers=None, background=None):
        super().__init__(b"", status_code, {**(headers or {}), "location": str(url)}, background=background)
