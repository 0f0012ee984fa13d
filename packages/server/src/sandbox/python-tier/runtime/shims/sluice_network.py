"""HTTP from a Python plugin through the host: `requests` and `urllib.request` send each request
to the server's permission-checked fetch (the plugin's `permissions: network:…` entries, public
addresses only), which the Python process must use: where the kernel allows, it runs in a network
namespace of its own, with no way out but the host (docs/security.md).

The body of an answer stays with the host and is read one chunk at a time as the plugin reads it,
so a streamed answer (`stream=True`, `iter_lines`) streams. Other clients (http.client, httpx,
aiohttp, the openai package) open sockets, which sluice_sockets.py relays through the same policy.
"""

import base64
import http.client
import io
import sys
import urllib.error
import urllib.request
import urllib.response
import zlib


def _host():
    return sys.modules["sluice_host"]


def host_fetch(method, url, headers, body):
    """Sends one request through the host; returns its head (`status`, `statusText`, `headers`, `url`, `bodyId`)."""
    request = {"url": str(url), "method": str(method or "GET").upper(), "headers": {str(k): str(v) for k, v in (headers or {}).items()}}
    asked = {"request": request}
    if body is not None:
        if isinstance(body, str):
            body = body.encode("utf-8")
        elif hasattr(body, "read"):
            body = body.read()
        elif not isinstance(body, (bytes, bytearray, memoryview)):
            body = b"".join(part.encode("utf-8") if isinstance(part, str) else bytes(part) for part in body)
        asked["body"] = base64.b64encode(bytes(body)).decode("ascii")
    return _host().ask_sync("fetch", asked)


class HostBody(io.RawIOBase):
    """A response body the host reads from the network chunk by chunk, as the plugin reads it."""

    def __init__(self, body_id, content_encoding=None):
        super().__init__()
        self._body_id = body_id
        self._buffer = b""
        self._is_done = False
        encoding = (content_encoding or "").strip().lower()
        # The host hands over the bytes as sent; gzip and deflate are undone here, as urllib3 does.
        self._decoder = zlib.decompressobj(32 + zlib.MAX_WBITS) if encoding in ("gzip", "x-gzip", "deflate") else None

    def readable(self):
        return True

    def _pull(self):
        while not self._buffer and not self._is_done:
            chunk = _host().ask_sync("fetchRead", {"bodyId": self._body_id})
            if chunk is None:
                self._is_done = True
                if self._decoder is not None:
                    self._buffer = self._decoder.flush()
                break
            data = base64.b64decode(chunk)
            self._buffer = self._decoder.decompress(data) if self._decoder is not None else data

    def readinto(self, target):
        self._pull()
        count = min(len(target), len(self._buffer))
        target[:count] = self._buffer[:count]
        self._buffer = self._buffer[count:]
        return count

    def close(self):
        if not self._is_done and not self.closed:
            self._is_done = True
            try:
                _host().ask_sync("fetchClose", {"bodyId": self._body_id})
            except Exception:  # noqa: BLE001 - the call may have ended; the host closes it then anyway
                pass
        super().close()


def _install_urllib():
    def open_through_host(_handler, request):
        try:
            head = host_fetch(request.get_method(), request.full_url, dict(request.header_items()), request.data)
        except _host().PluginError as error:
            raise urllib.error.URLError(str(error)) from None
        message = http.client.HTTPMessage()
        for name, value in (head.get("headers") or {}).items():
            message[name] = value
        body = io.BufferedReader(HostBody(head["bodyId"], message.get("content-encoding")))
        response = urllib.response.addinfourl(body, message, head.get("url") or request.full_url, head["status"])
        response.msg = head.get("statusText", "")
        return response

    urllib.request.HTTPHandler.http_open = open_through_host
    urllib.request.HTTPSHandler.https_open = open_through_host


def _install_requests():
    try:
        import requests
        import requests.adapters
    except ImportError:
        return
    from requests.structures import CaseInsensitiveDict
    from requests.utils import get_encoding_from_headers

    def send(adapter, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):  # noqa: ARG001 - the host applies its own limits
        try:
            head = host_fetch(request.method, request.url, dict(request.headers), request.body)
        except _host().PluginError as error:
            raise requests.exceptions.ConnectionError(str(error), request=request) from None
        response = requests.models.Response()
        response.status_code = head["status"]
        response.reason = head.get("statusText", "")
        response.headers = CaseInsensitiveDict(head.get("headers") or {})
        response.encoding = get_encoding_from_headers(response.headers)
        response.raw = HostBody(head["bodyId"], response.headers.get("content-encoding"))
        response.url = head.get("url") or request.url
        response.request = request
        response.connection = adapter
        if not stream:
            response.content  # noqa: B018 - read now, as requests does without stream=True
        return response

    requests.adapters.HTTPAdapter.send = send


def install():
    """Routes `urllib.request` and (when installed) `requests` through the host."""
    _install_urllib()
    _install_requests()
