"""TCP sockets of a Python plugin through the host, so every HTTP client works unchanged.

`requests` and `urllib` go through the host's fetch (sluice_network.py). Everything else that
opens a TCP connection (http.client, httpx, aiohttp, the openai package, websockets) reaches the
network here: a name resolves to a stand-in address that remembers the name; connecting to it
asks the host to open the connection through the plugin's network policy (the same as fetch:
its `permissions: network:…`, public addresses only); then the socket's descriptor is swapped for
one end of a local socket pair whose other end this module relays to the host over the process's
message channel. TLS stays end to end: the plugin's client does the handshake itself, so
certificates are checked against the real name.

Where the kernel allows, the process has no network of its own (a namespace with no interface),
so this is the only way out; elsewhere it is still the way every client goes (docs/security.md).

The call's time limit stops while the plugin waits for a relayed connection (blocked reading one,
or its event loop idle with one waiting to be read), as it does while it waits for a fetch.
"""

import asyncio
import asyncio.base_events
import asyncio.selector_events
import base64
import errno
import ipaddress
import itertools
import os
import select
import selectors
import socket
import ssl
import threading
from collections import deque

_channel = None
_running_invocations = None

_real_getaddrinfo = socket.getaddrinfo
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_setsockopt = socket.socket.setsockopt
_real_getpeername = socket.socket.getpeername
_real_getsockname = socket.socket.getsockname
_real_sock_connect = asyncio.selector_events.BaseSelectorEventLoop.sock_connect
_real_loop_getaddrinfo = asyncio.base_events.BaseEventLoop.getaddrinfo

# Stand-in addresses for names: 240.0.0.0/4 is reserved, so no real host has one.
_FAKE_NETWORK = ipaddress.ip_network("240.0.0.0/4")
_names_by_address = {}
_addresses_by_name = {}
_next_address = itertools.count(1)
_lock = threading.Lock()

_SERVICES = {"http": 80, "https": 443, "ws": 80, "wss": 443}

# Descriptor -> (host, port, connection id) of every socket relayed now.
_relayed = {}
_connection_ids = itertools.count(1)
_pending_opens = {}


def _fake_address(name):
    with _lock:
        address = _addresses_by_name.get(name)
        if address is None:
            address = str(_FAKE_NETWORK[next(_next_address)])
            _addresses_by_name[name] = address
            _names_by_address[address] = name
        return address


def _is_numeric(host):
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
        return True
    except ValueError:
        return False


def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):  # noqa: A002 - socket's own names
    """Names resolve to stand-in addresses (the host resolves the real name when connecting)."""
    if host is None or (flags & socket.AI_NUMERICHOST):
        return _real_getaddrinfo(host, port, family, type, proto, flags)
    if isinstance(host, bytes):
        host = host.decode("idna")
    host = host.strip("[]")
    if _is_numeric(host):
        return _real_getaddrinfo(host, port, family, type, proto, flags)
    if family not in (0, socket.AF_INET, socket.AF_UNSPEC):
        raise socket.gaierror(socket.EAI_FAMILY, f"{host} resolves to an IPv4 address here")
    if type not in (0, socket.SOCK_STREAM):
        raise socket.gaierror(socket.EAI_SOCKTYPE, "only TCP connections reach the network from a plugin")
    if isinstance(port, str):
        port = int(port) if port.isdigit() else _SERVICES.get(port.lower())
        if port is None:
            raise socket.gaierror(socket.EAI_SERVICE, "unknown service")
    return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (_fake_address(host.lower().rstrip(".")), port or 0))]


def gethostbyname(host):
    return getaddrinfo(host, 0)[0][4][0]


def _target(sock, address):
    """(host, port) to relay for a TCP connect, or None for anything else (Unix sockets, UDP)."""
    if sock.family not in (socket.AF_INET, socket.AF_INET6) or sock.type != socket.SOCK_STREAM:
        return None
    if not isinstance(address, tuple) or len(address) < 2:
        return None
    host, port = address[0], address[1]
    if isinstance(host, bytes):
        host = host.decode("idna")
    host = host.strip("[]")
    if not _is_numeric(host):
        # A name passed straight to connect: resolve it here, as the kernel's connect would not.
        host = gethostbyname(host)
    return _names_by_address.get(host, host), int(port)


# ---------------------------------------------------------------------------------------------
# The call's clock stops while the plugin waits for the network


class _NetworkWait:
    """While the plugin waits on a relayed connection, every running call's time limit stops."""

    def __enter__(self):
        self._paused = list(_running_invocations or ())
        for invocation_id in self._paused:
            _channel.send({"t": "wait", "invocationId": invocation_id, "isWaiting": True})
        return self

    def __exit__(self, *_exc):
        for invocation_id in self._paused:
            _channel.send({"t": "wait", "invocationId": invocation_id, "isWaiting": False})
        return False


def _would_block(sock):
    if getattr(sock, "gettimeout", lambda: None)() == 0:
        return False
    if isinstance(sock, ssl.SSLSocket) and sock._sslobj is not None and sock.pending() > 0:
        return False
    try:
        readable, _, _ = select.select([sock.fileno()], [], [], 0)
    except (OSError, ValueError):
        return False
    return not readable


def _waiting_read(original):
    def read(self, *args, **kwargs):
        if self.fileno() in _relayed and _would_block(self):
            with _NetworkWait():
                return original(self, *args, **kwargs)
        return original(self, *args, **kwargs)

    read.__name__ = original.__name__
    return read


class WaitingSelector(selectors.DefaultSelector):
    """The runtime's event loop selector: an idle wait with a relayed connection to read (or one
    being opened) is a wait for the network, so the running calls' time limits stop meanwhile."""

    def select(self, timeout=None):
        if (timeout is None or timeout > 0) and _waits_on_network(self):
            with _NetworkWait():
                return super().select(timeout)
        return super().select(timeout)


def _waits_on_network(selector):
    if _pending_opens:
        return True
    if not _relayed:
        # No relayed socket: nothing to look for (the common case, checked on every turn of the loop).
        return False
    for key in selector.get_map().values():
        if key.events & selectors.EVENT_READ and key.fd in _relayed:
            return True
    return False


# ---------------------------------------------------------------------------------------------
# Opening a connection through the host


class _Open:
    def __init__(self, loop=None):
        self.loop = loop
        self.event = threading.Event() if loop is None else None
        self.future = loop.create_future() if loop is not None else None
        self.error = None

    def settle(self, error):
        self.error = error
        if self.future is not None:
            self.loop.call_soon_threadsafe(lambda: self.future.done() or self.future.set_result(error))
        else:
            self.event.set()


def _refused(host, port, error):
    return ConnectionRefusedError(errno.ECONNREFUSED, f"{error}" if error else f"connection to {host}:{port} refused")


def _connect_through_host(sock, host, port):
    conn = next(_connection_ids)
    waiter = _Open()
    _pending_opens[conn] = waiter
    _channel.send({"t": "net", "op": "open", "conn": conn, "host": host, "port": port})
    timeout = sock.gettimeout()
    with _NetworkWait():
        settled = waiter.event.wait(timeout if timeout else None)
    _pending_opens.pop(conn, None)
    if not settled:
        _channel.send({"t": "net", "op": "close", "conn": conn})
        raise socket.timeout(f"connecting to {host}:{port} timed out")
    if waiter.error is not None:
        raise _refused(host, port, waiter.error)
    _attach(sock, conn, host, port)


async def _connect_through_host_async(loop, sock, host, port):
    conn = next(_connection_ids)
    waiter = _Open(loop)
    _pending_opens[conn] = waiter
    _channel.send({"t": "net", "op": "open", "conn": conn, "host": host, "port": port})
    try:
        error = await waiter.future
    except asyncio.CancelledError:
        _channel.send({"t": "net", "op": "close", "conn": conn})
        raise
    finally:
        _pending_opens.pop(conn, None)
    if error is not None:
        raise _refused(host, port, error)
    _attach(sock, conn, host, port)


def _attach(sock, conn, host, port):
    """The plugin's socket becomes one end of a local pair; the relay thread carries the other."""
    ours, theirs = socket.socketpair()
    timeout = sock.gettimeout()
    os.dup2(theirs.fileno(), sock.fileno())
    theirs.close()
    # dup2 shares the pair's open file, whose blocking mode is its own: set the plugin's again.
    sock.settimeout(timeout)
    _relayed[sock.fileno()] = (host, port, conn)
    _relay().add(conn, ours, sock.fileno())


def connect(self, address):
    target = _target(self, address)
    if target is None:
        return _real_connect(self, address)
    return _connect_through_host(self, *target)


def connect_ex(self, address):
    target = _target(self, address)
    if target is None:
        return _real_connect_ex(self, address)
    try:
        _connect_through_host(self, *target)
        return 0
    except socket.timeout:
        return errno.ETIMEDOUT
    except OSError as error:
        return error.errno or errno.ECONNREFUSED


async def loop_getaddrinfo(self, host, port, *, family=0, type=0, proto=0, flags=0):  # noqa: A002 - asyncio's own names
    """A name resolves at once here (to a stand-in): no executor thread for it."""
    if host is None or (flags & socket.AI_NUMERICHOST) or _is_numeric(host.decode("idna") if isinstance(host, bytes) else host.strip("[]")):
        return await _real_loop_getaddrinfo(self, host, port, family=family, type=type, proto=proto, flags=flags)
    return getaddrinfo(host, port, family, type, proto, flags)


async def sock_connect(self, sock, address):
    target = _target(sock, address)
    if target is None:
        return await _real_sock_connect(self, sock, address)
    return await _connect_through_host_async(self, sock, *target)


def setsockopt(self, *args):
    try:
        return _real_setsockopt(self, *args)
    except OSError:
        # TCP options (TCP_NODELAY, keep-alive timings) do not apply to the local pair; the host sets its own.
        if self.fileno() in _relayed:
            return None
        raise


def getpeername(self):
    relayed = _relayed.get(self.fileno())
    if relayed is not None:
        return (relayed[0] if _is_numeric(relayed[0]) else _fake_address(relayed[0]), relayed[1])
    return _real_getpeername(self)


def getsockname(self):
    if self.fileno() in _relayed:
        return ("0.0.0.0", 0)
    return _real_getsockname(self)


# ---------------------------------------------------------------------------------------------
# The relay thread: local pairs <-> the host, one thread for every connection


class _Connection:
    def __init__(self, conn, sock, plugin_fd):
        self.conn = conn
        self.sock = sock
        self.plugin_fd = plugin_fd
        self.outgoing = deque()
        self.is_writing_to_host = False
        self.has_host_ended = False
        self.has_plugin_ended = False


class _Relay:
    def __init__(self):
        self._selector = selectors.DefaultSelector()
        self._wake_read, self._wake_write = socket.socketpair()
        self._wake_read.setblocking(False)
        self._wake_write.setblocking(False)
        self._selector.register(self._wake_read, selectors.EVENT_READ, None)
        self._inbox = deque()
        self._connections = {}
        # A small stack: the thread's whole stack counts against the process's memory limit.
        previous = threading.stack_size(512 * 1024)
        try:
            threading.Thread(target=self._run, name="sluice-socket-relay", daemon=True).start()
        finally:
            threading.stack_size(previous)

    def expect(self, conn):
        self._post(("expect", conn, None))

    def add(self, conn, sock, plugin_fd):
        self._post(("add", conn, (sock, plugin_fd)))

    def from_host(self, message):
        self._post((message["t"], message.get("conn"), message))

    def _post(self, item):
        self._inbox.append(item)
        try:
            self._wake_write.send(b"x")
        except BlockingIOError:
            pass

    def _run(self):
        while True:
            for key, events in self._selector.select():
                if key.data is None:
                    try:
                        while self._wake_read.recv(4096):
                            pass
                    except BlockingIOError:
                        pass
                    continue
                connection = key.data
                if events & selectors.EVENT_READ:
                    self._read_from_plugin(connection)
                if events & selectors.EVENT_WRITE and connection.conn in self._connections:
                    self._write_to_plugin(connection)
            while self._inbox:
                self._take(*self._inbox.popleft())

    def _take(self, kind, conn, value):
        if kind == "expect":
            # What the host sends until the plugin's socket is attached waits here.
            self._connections[conn] = _Connection(conn, None, None)
            return
        if kind == "add":
            sock, plugin_fd = value
            sock.setblocking(False)
            connection = self._connections.get(conn) or _Connection(conn, None, None)
            connection.sock, connection.plugin_fd = sock, plugin_fd
            self._connections[conn] = connection
            self._watch(connection)
            if connection.has_host_ended and not connection.outgoing:
                self._plugin_may_end(connection)
            return
        connection = self._connections.get(conn)
        if connection is None:
            return
        if connection.sock is None:
            # Not attached yet (or never will be: the plugin gave up waiting and closed it).
            if kind == "net-data":
                connection.outgoing.append(base64.b64decode(value.get("data") or ""))
            elif kind == "net-end":
                connection.has_host_ended = True
            return
        if kind == "net-data":
            connection.outgoing.append(base64.b64decode(value.get("data") or ""))
        elif kind == "net-written":
            connection.is_writing_to_host = False
        elif kind == "net-end":
            connection.has_host_ended = True
            if value.get("error") and not connection.outgoing:
                return self._drop(connection, tell_host=False)
        self._watch(connection)
        if connection.has_host_ended and not connection.outgoing:
            self._plugin_may_end(connection)

    def _watch(self, connection):
        if connection.sock is None:
            return
        events = 0
        if not connection.has_plugin_ended and not connection.is_writing_to_host:
            events |= selectors.EVENT_READ
        if connection.outgoing:
            events |= selectors.EVENT_WRITE
        try:
            if events:
                try:
                    self._selector.modify(connection.sock, events, connection)
                except KeyError:
                    self._selector.register(connection.sock, events, connection)
            else:
                self._selector.unregister(connection.sock)
        except (KeyError, ValueError):
            pass

    def _read_from_plugin(self, connection):
        try:
            data = connection.sock.recv(65536)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if data:
            connection.is_writing_to_host = True
            _channel.send({"t": "net", "op": "data", "conn": connection.conn, "data": base64.b64encode(data).decode("ascii")})
        else:
            connection.has_plugin_ended = True
            _channel.send({"t": "net", "op": "end", "conn": connection.conn})
        self._watch(connection)
        if connection.has_plugin_ended and connection.has_host_ended and not connection.outgoing:
            self._drop(connection, tell_host=True)

    def _write_to_plugin(self, connection):
        written = 0
        while connection.outgoing:
            chunk = connection.outgoing[0]
            try:
                count = connection.sock.send(chunk)
            except BlockingIOError:
                break
            except OSError:
                # The plugin closed its socket: nobody reads this connection any more.
                return self._drop(connection, tell_host=True)
            written += count
            if count < len(chunk):
                connection.outgoing[0] = chunk[count:]
                break
            connection.outgoing.popleft()
        if written:
            _channel.send({"t": "net", "op": "ack", "conn": connection.conn, "bytes": written})
        self._watch(connection)
        if connection.has_host_ended and not connection.outgoing:
            self._plugin_may_end(connection)

    def _plugin_may_end(self, connection):
        """The host's side has ended and everything is handed over: the plugin reads its end."""
        try:
            connection.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        if connection.has_plugin_ended:
            self._drop(connection, tell_host=False)

    def _drop(self, connection, tell_host):
        self._connections.pop(connection.conn, None)
        # The plugin may have closed its socket and opened another on the same descriptor.
        if (_relayed.get(connection.plugin_fd) or (None, None, None))[2] == connection.conn:
            _relayed.pop(connection.plugin_fd, None)
        if connection.sock is None:
            return
        try:
            self._selector.unregister(connection.sock)
        except (KeyError, ValueError):
            pass
        connection.sock.close()
        if tell_host:
            _channel.send({"t": "net", "op": "close", "conn": connection.conn})


_relay_instance = None


def _relay():
    global _relay_instance
    with _lock:
        if _relay_instance is None:
            _relay_instance = _Relay()
        return _relay_instance


def take_host_message(message):
    """On the runtime's reader thread: True when `message` was the host's about a relayed socket."""
    kind = message.get("t")
    conn = message.get("conn")
    if kind == "net-opened":
        error = message.get("error")
        waiter = _pending_opens.get(conn)
        if error is None:
            if waiter is None:
                # Opened after the plugin gave up waiting: close it again.
                _channel.send({"t": "net", "op": "close", "conn": conn})
                return True
            # Before the plugin's thread wakes: the host's first bytes may come before it attaches.
            _relay().expect(conn)
        if waiter is not None:
            waiter.settle(error)
        return True
    if kind in ("net-data", "net-written", "net-end"):
        _relay().from_host(message)
        return True
    return False


def install(channel, running_invocations):
    """Routes every TCP connection of the process through the host (see the module's text)."""
    global _channel, _running_invocations
    _channel = channel
    _running_invocations = running_invocations
    socket.getaddrinfo = getaddrinfo
    socket.gethostbyname = gethostbyname
    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex
    socket.socket.setsockopt = setsockopt
    socket.socket.getpeername = getpeername
    socket.socket.getsockname = getsockname
    for name in ("recv", "recv_into"):
        setattr(socket.socket, name, _waiting_read(getattr(socket.socket, name)))
    # An SSL socket's recv and recv_into read through `read`.
    ssl.SSLSocket.read = _waiting_read(ssl.SSLSocket.read)
    asyncio.selector_events.BaseSelectorEventLoop.sock_connect = sock_connect
    asyncio.base_events.BaseEventLoop.getaddrinfo = loop_getaddrinfo
    # Started now, before the memory limit: a thread's stack and arena take address space.
    _relay()
