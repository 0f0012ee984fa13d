"""The Python tier's runtime: one Open WebUI plugin (Python source, unchanged) in this process.

The server starts `python3 -I -B sluice_runtime.py <memory MB>` with an empty environment in the
plugin's folder. Messages are JSON, one per line: the server writes to our stdin, we write to
file descriptor 3. They are the trusted tier's messages (node-tier-protocol.ts): `load`, `call`
(validateValves, valvesSpec, awaitHook, startPipe, pullPipe, openStreamSession, ping), `signal`
(abortInvocation, forgetResult, stopPipe, closeStreamSession), `chunks` and `host-reply` in;
`ready`, `reply`, `host` (emit, call, serve), `log` and `chunked` out. Answers are the JSON text
the JavaScript runtime gives (docs/internals/plugin-runtime.md), so the host reads both alike.

`python3 sluice_runtime.py --check` reads source on stdin and only parses it (nothing runs): the
top-level classes and the first syntax error, for plugins saved before an admin approved them.
"""

import ast
import asyncio
import contextvars
import inspect
import json
import logging
import os
import re
import sys
import threading
import traceback
import types

FUNCTION_CLASSES = ("Pipe", "Filter", "Action", "Event")
# An Event function is what Sluice calls an event plugin (kind "events", stored as a function of type "event").
KINDS = {"Pipe": "pipe", "Filter": "filter", "Action": "action", "Tools": "tools", "Event": "events"}
MAX_LOG_LENGTH = 16_384
MAX_RESULT_LENGTH = 16 * 1024 * 1024
# The process ends with this code after a MemoryError, so the host reports the memory limit.
OUT_OF_MEMORY_EXIT = 86

current_invocation = contextvars.ContextVar("current_invocation", default=None)


# ---------------------------------------------------------------------------------------------
# Checking source without running it


def check_source(source):
    """The top-level classes of `source`, or its first syntax error, without running any of it."""
    try:
        tree = ast.parse(source, filename="plugin")
    except SyntaxError as error:
        return {"ok": False, "message": describe_syntax_error(error), "line": error.lineno}
    classes = [node.name for node in tree.body if isinstance(node, ast.ClassDef)]
    return {"ok": True, "classes": classes, "shippedByOpenWebUI": missing_open_webui_packages(tree)}


# Packages Open WebUI's server ships, which its plugins import without listing them under
# `requirements:` (module name -> pip name). Light ones only: not its ML stack.
OPEN_WEBUI_PACKAGES = {
    "aiohttp": "aiohttp",
    "httpx": "httpx",
    "requests": "requests",
    "openai": "openai",
    "anthropic": "anthropic",
    "tiktoken": "tiktoken",
    "bs4": "beautifulsoup4",
    "markdown": "markdown",
    "pypdf": "pypdf",
    "pandas": "pandas",
    "numpy": "numpy",
    "redis": "redis",
    "pymongo": "pymongo",
    "boto3": "boto3",
    "jwt": "pyjwt",
    "jose": "python-jose",
    "validators": "validators",
    "psutil": "psutil",
    "fake_useragent": "fake-useragent",
    "duckduckgo_search": "duckduckgo-search",
    "youtube_transcript_api": "youtube-transcript-api",
    "fpdf": "fpdf2",
    "docx2txt": "docx2txt",
    "openpyxl": "openpyxl",
    "ftfy": "ftfy",
    "pydub": "pydub",
    "sqlalchemy": "sqlalchemy",
    "peewee": "peewee",
    "yaml": "pyyaml",
    "dateutil": "python-dateutil",
    "pytz": "pytz",
    "aiofiles": "aiofiles",
    "cryptography": "cryptography",
    "tenacity": "tenacity",
    "loguru": "loguru",
}


def missing_open_webui_packages(tree):
    """Pip names of the packages Open WebUI ships that the source imports and this Python lacks."""
    import importlib.util

    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            imported.add(node.module.split(".")[0])
    missing = []
    for module in sorted(imported):
        if module in OPEN_WEBUI_PACKAGES and importlib.util.find_spec(module) is None:
            missing.append(OPEN_WEBUI_PACKAGES[module])
    return missing


def describe_syntax_error(error):
    where = f"line {error.lineno}" + (f", column {error.offset}" if error.offset else "")
    text = (error.text or "").strip()
    return f"{type(error).__name__} at {where}: {error.msg}" + (f": {text}" if text else "")


# ---------------------------------------------------------------------------------------------
# The channel to the host


class Channel:
    def __init__(self):
        self._out = os.fdopen(3, "w", encoding="utf-8", closefd=False)
        self._lock = threading.Lock()
        self._last_host_call = 0
        self._host_calls = {}
        self._sync_calls = {}
        self.loop = None

    def send(self, message):
        line = json.dumps(message, ensure_ascii=False, separators=(",", ":"))
        with self._lock:
            try:
                self._out.write(line + "\n")
                self._out.flush()
            except (BrokenPipeError, OSError):
                os._exit(0)

    def log(self, level, message, invocation_id=None):
        if invocation_id is None:
            invocation_id = current_invocation.get()
        self.send({"t": "log", "invocationId": invocation_id, "level": level, "message": str(message)[:MAX_LOG_LENGTH]})

    async def ask_host(self, capability, invocation_id, value):
        """Asks the host for `emit`, `call` or `serve`; returns the value or raises its error."""
        try:
            text = json.dumps(value, default=to_json_value, ensure_ascii=False)
        except (TypeError, ValueError) as error:
            raise PluginError("PLUGIN_ERROR", f"What was passed to the host is not JSON: {error}") from None
        if len(text) > MAX_RESULT_LENGTH:
            raise PluginError("PLUGIN_ERROR", f"The value passed to the host is {len(text)} characters of JSON; the limit is {MAX_RESULT_LENGTH}")
        self._last_host_call += 1
        call_id = self._last_host_call
        future = self.loop.create_future()
        self._host_calls[call_id] = future
        self.send({"t": "host", "id": call_id, "capability": capability, "invocationId": invocation_id, "json": text})
        result = await future
        if result.get("ok"):
            return result.get("value")
        error = result.get("error") or {}
        raise PluginError(error.get("code", "PLUGIN_ERROR"), error.get("message", f"{capability} failed"))

    def ask_host_sync(self, capability, invocation_id, value):
        """`ask_host` for plugin code that is not async (Open WebUI's table helpers such as
        `Memories.get_memories_by_user_id`): it blocks the event loop until the host answers; the
        reader thread hands the answer over, and the call's time limit still applies."""
        try:
            text = json.dumps(value, default=to_json_value, ensure_ascii=False)
        except (TypeError, ValueError) as error:
            raise PluginError("PLUGIN_ERROR", f"What was passed to the host is not JSON: {error}") from None
        with self._lock:
            self._last_host_call += 1
            call_id = self._last_host_call
        waiter = {"event": threading.Event(), "text": None}
        self._sync_calls[call_id] = waiter
        self.send({"t": "host", "id": call_id, "capability": capability, "invocationId": invocation_id, "json": text})
        waiter["event"].wait()
        result = json.loads(waiter["text"])
        if result.get("ok"):
            return result.get("value")
        error = result.get("error") or {}
        raise PluginError(error.get("code", "PLUGIN_ERROR"), error.get("message", f"{capability} failed"))

    def take_sync_reply(self, message):
        """On the reader thread: answers a blocking `ask_host_sync`; False for any other message."""
        if message.get("t") != "host-reply":
            return False
        waiter = self._sync_calls.pop(message.get("id"), None)
        if waiter is None:
            return False
        waiter["text"] = message.get("json")
        waiter["event"].set()
        return True

    def host_reply(self, call_id, text):
        future = self._host_calls.pop(call_id, None)
        if future is not None and not future.done():
            future.set_result(json.loads(text))


channel = None
sluice_sockets = None


class PluginError(Exception):
    """An error with one of Sluice's codes (the host keeps the code)."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


class LogWriter:
    """`sys.stdout` / `sys.stderr`: each line a plugin prints goes to the server log, tagged with the plugin and call."""

    def __init__(self, level):
        self.level = level
        self._partial = ""
        self.encoding = "utf-8"

    def write(self, text):
        text = self._partial + str(text)
        *lines, self._partial = text.split("\n")
        for line in lines:
            if line.strip():
                channel.log(self.level, line)
        if len(self._partial) > MAX_LOG_LENGTH:
            channel.log(self.level, self._partial)
            self._partial = ""
        return len(text)

    def flush(self):
        if self._partial.strip():
            channel.log(self.level, self._partial)
        self._partial = ""

    def isatty(self):
        return False


class LogHandler(logging.Handler):
    LEVELS = {logging.DEBUG: "debug", logging.INFO: "info", logging.WARNING: "warn"}

    def emit(self, record):
        try:
            level = self.LEVELS.get(record.levelno, "error" if record.levelno > logging.WARNING else "debug")
            channel.log(level, self.format(record))
        except Exception:  # noqa: BLE001 - a log line must never fail the plugin
            pass


# ---------------------------------------------------------------------------------------------
# Errors


def describe_exception(error, plugin_file):
    """The exception's type and message, the line of the plugin it came from and its last frame."""
    if isinstance(error, SyntaxError) and error.filename == plugin_file:
        return describe_syntax_error(error)
    frames = traceback.extract_tb(error.__traceback__)
    in_plugin = [frame for frame in frames if frame.filename == plugin_file]
    message = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    if in_plugin:
        frame = in_plugin[-1]
        message += f" (line {frame.lineno}, in {frame.name}"
        if frames and frames[-1] is not frame:
            last = frames[-1]
            message += f'; last frame: {os.path.basename(last.filename)}:{last.lineno} in {last.name}'
        message += ")"
    return message


def invoke_error(error):
    if isinstance(error, PluginError):
        return {"code": error.code, "message": str(error)}
    if isinstance(error, asyncio.CancelledError):
        return {"code": "PLUGIN_ERROR", "message": "The call was stopped"}
    if isinstance(error, MemoryError):
        return {"code": "PLUGIN_MEMORY_LIMIT", "message": "The plugin ran out of memory"}
    message = str(error) or type(error).__name__
    stack = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    return {"code": "PLUGIN_ERROR", "message": message, "stack": stack[-8000:]}


def failure(error):
    return {"ok": False, "error": invoke_error(error)}


# ---------------------------------------------------------------------------------------------
# JSON


def to_json_value(value):
    """What `json.dumps` cannot write itself: pydantic models, sets, bytes."""
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    raise TypeError(f"{type(value).__name__} is not JSON-serialisable")


def dumps(value):
    try:
        text = json.dumps(value, default=to_json_value, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise PluginError("PLUGIN_ERROR", f"The plugin returned a value that is not JSON: {error}") from None
    if len(text) > MAX_RESULT_LENGTH:
        raise PluginError("PLUGIN_ERROR", f"The result is {len(text)} characters of JSON; the limit is {MAX_RESULT_LENGTH}")
    return text


# ---------------------------------------------------------------------------------------------
# The plugin


class Plugin:
    def __init__(self, plugin_id, instance, class_name, plugin_file):
        self.id = plugin_id
        self.instance = instance
        self.kind = KINDS[class_name]
        self.file = plugin_file
        cls = type(instance)
        self.valves_class = getattr(cls, "Valves", None) if inspect.isclass(getattr(cls, "Valves", None)) else None
        self.user_valves_class = getattr(cls, "UserValves", None) if inspect.isclass(getattr(cls, "UserValves", None)) else None
        # The valves forms as listed at load (`describe_plugin`), the fallback of a failing options method.
        self.loaded_schemas = {}


plugin = None


def load(plugin_id, code):
    global plugin
    plugin_file = f"plugin:{plugin_id}"
    module = types.ModuleType(f"function_{plugin_id}")
    module.__file__ = plugin_file
    sys.modules[module.__name__] = module
    try:
        exec(compile(code, plugin_file, "exec"), module.__dict__)
        names = [name for name in (*FUNCTION_CLASSES, "Tools") if inspect.isclass(module.__dict__.get(name))]
        if not names:
            raise PluginError("PLUGIN_LOAD_FAILED", "No class named Pipe, Filter, Action, Event or Tools at the top of the module")
        class_name = names[0]
        instance = module.__dict__[class_name]()
    except PluginError:
        raise
    except BaseException as error:  # noqa: BLE001 - the plugin's own failure, reported with its line
        if isinstance(error, MemoryError):
            raise
        raise PluginError("PLUGIN_LOAD_FAILED", describe_exception(error, plugin_file)) from None
    plugin = Plugin(plugin_id, instance, class_name, plugin_file)
    return describe_plugin(plugin)


def valves_schema(model_class, user=None, fallback=None):
    """The valves form's JSON Schema. Options a method of the valves class lists (Open WebUI:
    `json_schema_extra={"input": {"options": "method_name"}}`) are asked for, given `user` as
    `__user__` or `user` when the method names them: the form's reader, or None at load. A method
    that fails keeps the options `fallback` (the schema listed at load) has for its field."""
    if model_class is None:
        return None
    schema = model_class.model_json_schema()
    properties = schema.get("properties") or {}
    for name, prop in properties.items():
        options = (prop.get("input") or {}).get("options") if isinstance(prop.get("input"), dict) else None
        if isinstance(options, str):
            try:
                method = getattr(model_class, options)
                resolved = method(**arguments_for(method, {"__user__": user, "user": user}))
                if not isinstance(resolved, list):
                    raise TypeError(f"it returned {type(resolved).__name__}, not a list")
                prop["input"]["options"] = resolved
            except Exception as error:  # noqa: BLE001
                channel.log("warn", f"valve {name}: options from {options}() failed: {error}")
                listed = (((fallback or {}).get("properties") or {}).get(name) or {}).get("input")
                if isinstance(listed, dict) and "options" in listed:
                    prop["input"]["options"] = listed["options"]
    return schema


def valves_spec(which, user):
    """The valves form for one user: what `valves_schema` gives with them as the reader."""
    model_class = plugin.valves_class if which == "valves" else plugin.user_valves_class
    return valves_schema(model_class, user if isinstance(user, dict) else None, plugin.loaded_schemas.get(which))


def secret_fields(schema):
    if not schema:
        return []
    return [
        name
        for name, prop in (schema.get("properties") or {}).items()
        if isinstance(prop.get("input"), dict) and prop["input"].get("type") == "password"
    ]


def describe_plugin(loaded):
    instance = loaded.instance
    valves = valves_schema(loaded.valves_class)
    user_valves = valves_schema(loaded.user_valves_class)
    loaded.loaded_schemas = {"valves": valves, "userValves": user_valves}
    pipes = None
    has_dynamic_pipes = False
    hooks = []
    if loaded.kind == "pipe":
        hooks.append("pipe")
        entries = getattr(instance, "pipes", None)
        if callable(entries):
            has_dynamic_pipes = True
            hooks.append("pipes")
        elif entries is not None:
            pipes = [pipe_entry(entry) for entry in entries]
    if loaded.kind == "filter":
        hooks += [hook for hook in ("inlet", "request", "stream", "outlet") if callable(getattr(instance, hook, None))]
    actions = None
    if loaded.kind == "action":
        hooks.append("action")
        entries = getattr(instance, "actions", None)
        if isinstance(entries, list):
            actions = [action_entry(entry) for entry in entries]
    tools = tool_specs(instance) if loaded.kind == "tools" else []
    if tools:
        hooks.append("tool")
    if loaded.kind == "events":
        if not callable(getattr(instance, "event", None)):
            raise PluginError("PLUGIN_LOAD_FAILED", "class Event has no event method (Open WebUI calls event(self, event, __event_name__, ...))")
        hooks.append("event")
    icon = getattr(instance, "icon", None)
    return {
        "kind": loaded.kind,
        "valvesSchema": valves,
        "userValvesSchema": user_valves,
        "secretFields": secret_fields(valves),
        "userSecretFields": secret_fields(user_valves),
        "pipes": pipes,
        "hasDynamicPipes": has_dynamic_pipes,
        "actions": actions,
        "toggle": getattr(instance, "toggle", False) is True,
        "icon": icon if isinstance(icon, str) else None,
        "tools": tools,
        "hooks": hooks,
        # Open WebUI: a filter with `file_handler = True` puts the attached files in the request itself.
        "fileHandler": loaded.kind == "filter" and getattr(instance, "file_handler", False) is True,
        # Open WebUI calls an Event function for every server event and it filters on __event_name__.
        **({"events": ["*"]} if loaded.kind == "events" else {}),
    }


def pipe_entry(entry):
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
        raise PluginError("PLUGIN_ERROR", f"A pipes entry must be a dict with an id and a name, got {entry!r}")
    return {"id": entry["id"], "name": str(entry.get("name", entry["id"]))}


def action_entry(entry):
    result = pipe_entry(entry)
    if isinstance(entry.get("icon_url"), str):
        result["icon_url"] = entry["icon_url"]
    return result


# ---------------------------------------------------------------------------------------------
# Tool specs, as Open WebUI builds them from each public method's signature and docstring

JSON_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean", dict: "object", list: "array"}


def tool_methods(instance):
    for name in dir(instance):
        if name.startswith("_"):
            continue
        member = getattr(instance, name, None)
        if callable(member) and not inspect.isclass(member):
            yield name, member


def tool_specs(instance):
    return [tool_spec(name, method) for name, method in tool_methods(instance)]


def tool_spec(name, method):
    import pydantic

    docstring = inspect.getdoc(method) or ""
    descriptions = {}
    summary = []
    for line in docstring.splitlines():
        match = re.match(r"\s*:param\s+(\w+)\s*:\s*(.*)", line)
        if match:
            descriptions[match.group(1)] = match.group(2).strip()
        elif re.match(r"\s*:(return|returns|raises?)\b", line):
            continue
        elif not descriptions:
            summary.append(line)
    fields = {}
    hints = typing_hints(method)
    for parameter in inspect.signature(method).parameters.values():
        if parameter.name.startswith("__") or parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        annotation = hints.get(parameter.name, parameter.annotation)
        if annotation is inspect.Parameter.empty:
            annotation = str
        default = ... if parameter.default is inspect.Parameter.empty else parameter.default
        fields[parameter.name] = (annotation, pydantic.Field(default, description=descriptions.get(parameter.name)))
    model = pydantic.create_model(name, **fields)
    schema = model.model_json_schema()
    parameters = {"type": "object", "properties": schema.get("properties", {})}
    for prop in parameters["properties"].values():
        prop.pop("title", None)
    if schema.get("required"):
        parameters["required"] = schema["required"]
    if schema.get("$defs"):
        parameters["$defs"] = schema["$defs"]
    description = "\n".join(summary).strip() or name
    return {"name": name, "description": description, "parameters": parameters}


def typing_hints(method):
    try:
        import typing

        return typing.get_type_hints(method)
    except Exception:  # noqa: BLE001 - unresolvable hints fall back to the raw annotations
        return {}


# ---------------------------------------------------------------------------------------------
# Valves


def validate_valves(which, values):
    model_class = plugin.valves_class if which == "valves" else plugin.user_valves_class
    if model_class is None:
        return issues_result("", "This plugin has no valves" if which == "valves" else "This plugin has no user valves")
    if not isinstance(values, dict):
        return issues_result("", f"Valves must be an object, got {type(values).__name__}")
    provided = {key: value for key, value in values.items() if value is not None and key in model_class.model_fields}
    import pydantic

    try:
        model = model_class(**provided)
    except pydantic.ValidationError as error:
        return {
            "ok": False,
            "issues": [{"path": ".".join(str(part) for part in issue["loc"]), "message": issue["msg"]} for issue in error.errors()],
        }
    effective = model.model_dump(mode="json")
    return {"ok": True, "stored": {key: effective[key] for key in provided if key in effective}, "effective": effective}


def issues_result(path, message):
    return {"ok": False, "issues": [{"path": path, "message": message}]}


def build_valves(model_class, stored, which):
    import pydantic

    try:
        return model_class(**{key: value for key, value in (stored or {}).items() if value is not None})
    except pydantic.ValidationError as error:
        fields = ", ".join(f"{'.'.join(str(p) for p in issue['loc'])}: {issue['msg']}" for issue in error.errors())
        raise PluginError("VALVES_INVALID", f"The stored {which} no longer fit the plugin's {which}: {fields}") from None


# ---------------------------------------------------------------------------------------------
# Calling a hook with Open WebUI's special arguments


class RequestFacts:
    """`__request__`: what Sluice tells plugins of the HTTP request (base URL, harmless headers; no credentials)."""

    def __init__(self, facts):
        facts = facts or {}
        self.base_url = facts.get("baseUrl", "")
        self.headers = {key.lower(): value for key, value in (facts.get("headers") or {}).items()}
        self.url = self.base_url
        self.cookies = {}
        self.query_params = {}


class Call:
    """One hook call: its invocation id, context and the special arguments it offers."""

    def __init__(self, request):
        self.invocation_id = request["invocationId"]
        self.context = request.get("context") or {}
        # What the open_webui shims read of the call they run in (the requester, the chat).
        contexts[self.invocation_id] = self.context

    def special_arguments(self):
        context = self.context
        metadata = context.get("metadata") or {}
        user = context.get("user")
        invocation_id = self.invocation_id

        async def event_emitter(event):
            await channel.ask_host("emit", invocation_id, event)

        async def event_call(event):
            return await channel.ask_host("call", invocation_id, event)

        special = {
            "__event_emitter__": event_emitter,
            "__event_call__": event_call,
            "__metadata__": metadata,
            "__model__": context.get("model"),
            "__messages__": context.get("messages") or [],
            "__files__": context.get("files") or metadata.get("files") or [],
            "__id__": context.get("id", plugin.id),
            "__chat_id__": metadata.get("chat_id"),
            "__message_id__": metadata.get("message_id"),
            "__session_id__": metadata.get("session_id"),
            "__task__": metadata.get("task"),
            "__task_body__": metadata.get("task_body"),
            "__request__": RequestFacts(context.get("request")),
            "__body__": metadata.get("body"),
            "__oauth_token__": None,
        }
        if user is not None:
            user = dict(user)
            if plugin.user_valves_class is not None:
                user["valves"] = build_valves(plugin.user_valves_class, context.get("userValves"), "user valves")
            special["__user__"] = user
        return special

    def apply_valves(self):
        # Open WebUI: a fresh Valves instance from the stored values before each call.
        if plugin.valves_class is not None and hasattr(plugin.instance, "valves"):
            plugin.instance.valves = build_valves(plugin.valves_class, self.context.get("valves"), "valves")


def names_parameter(function, name):
    try:
        return name in inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False


async def request_tools(invocation_id):
    """`__tools__` as Open WebUI passes it: each of the request's tools by name, `{"callable", "spec"}`.
    The callable (async, keyword arguments) runs the tool through the host (`tools.call`), in its
    own sandbox; where the request's tools are not known yet (an inlet), it is empty."""
    try:
        listed = await channel.ask_host("serve", invocation_id, {"method": "tools.list", "args": []})
    except PluginError as error:
        if error.code == "INVALID_INPUT":
            return {}
        raise

    def caller(name):
        async def call_tool(**arguments):
            return await channel.ask_host("serve", invocation_id, {"method": "tools.call", "args": [name, arguments]})

        call_tool.__name__ = name
        return call_tool

    tools = {}
    for info in listed or []:
        name = info.get("name")
        spec = {"name": name, "description": info.get("description", ""), "parameters": info.get("parameters") or {"type": "object", "properties": {}}}
        tools[name] = {"callable": caller(name), "spec": spec}
    return tools


async def with_request_tools(function, special, invocation_id):
    """`special` plus `__tools__` when `function` asks for it (listing the tools costs a host call)."""
    if not names_parameter(function, "__tools__"):
        return special
    return {**special, "__tools__": await request_tools(invocation_id)}


def arguments_for(function, offered):
    """Only the arguments `function` names in its signature (a **kwargs catch-all gets no special ones)."""
    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):
        return {}
    return {name: value for name, value in offered.items() if name in parameters}


async def call_function(function, arguments):
    result = function(**arguments)
    if inspect.isawaitable(result):
        result = await result
    return result


async def run_hook(request):
    call = Call(request)
    token = current_invocation.set(call.invocation_id)
    try:
        hook = request.get("hook")
        call.apply_valves()
        instance = plugin.instance
        payload = request.get("payload")
        if isinstance(payload, str) and hook != "pipes":
            payload = json.loads(payload)
        if hook == "pipes":
            entries = getattr(instance, "pipes", None)
            if callable(entries):
                entries = await call_function(entries, arguments_for(entries, call.special_arguments()))
            return [pipe_entry(entry) for entry in (entries or [])]
        special = call.special_arguments()
        if hook in ("inlet", "request", "outlet"):
            function = getattr(instance, hook, None)
            if function is None:
                return payload
            special = await with_request_tools(function, special, call.invocation_id)
            result = await call_function(function, arguments_for(function, {**special, "body": payload}))
            return payload if result is None else result
        if hook == "pipe":
            special = await with_request_tools(instance.pipe, special, call.invocation_id)
            result = await call_function(instance.pipe, arguments_for(instance.pipe, {**special, "body": payload}))
            # A StreamingResponse (fastapi's, starlette's or the shims'): Open WebUI streams its body.
            return getattr(result, "body_iterator", result)
        if hook == "action":
            return await call_function(instance.action, arguments_for(instance.action, {**special, "body": payload}))
        if hook == "tool":
            name = request.get("toolName")
            method = dict(tool_methods(instance)).get(name)
            if method is None:
                raise PluginError("INVALID_INPUT", f"This plugin has no tool named {name!r}")
            if not isinstance(payload, dict):
                raise PluginError("INVALID_INPUT", "Tool arguments must be an object")
            names = inspect.signature(method).parameters
            arguments = {key: value for key, value in payload.items() if key in names and not key.startswith("__")}
            result = await call_function(method, {**arguments_for(method, special), **arguments})
            return await tool_result(name, result, special["__event_emitter__"])
        if hook == "event" and plugin.kind == "events":
            return await run_event(instance.event, special, payload)
        raise PluginError("INVALID_INPUT", f"A {plugin.kind} has no {hook!r} hook")
    finally:
        current_invocation.reset(token)


async def run_event(function, special, event):
    """An Event function's `event()`, as Open WebUI calls it: the event (`{id, name, subject, actor,
    ts, data}`) as `event` and `__event__`, its name as `__event_name__`, its id as `__event_id__`;
    `__app__` is None (Sluice has no FastAPI app to hand out). There is no user (`__user__` absent)."""
    event = event if isinstance(event, dict) else {}
    offered = {
        **special,
        "event": event,
        "__event__": event,
        "__event_name__": event.get("name"),
        "__event_id__": event.get("id"),
        "__app__": None,
    }
    await call_function(function, arguments_for(function, offered))
    return None


async def tool_result(name, result, event_emitter):
    """What the model reads of a tool's result. An HTML response (fastapi's HTMLResponse, or any
    response of type text/html) is shown to the user as an embed, as in Open WebUI, and the model
    is told so; other responses give their body as text."""
    if not hasattr(result, "body") or not hasattr(result, "status_code"):
        return result
    body = result.body.decode("utf-8", "replace") if isinstance(result.body, (bytes, bytearray)) else str(result.body)
    media_type = str(getattr(result, "media_type", None) or (getattr(result, "headers", None) or {}).get("content-type", ""))
    if media_type.startswith("text/html"):
        await event_emitter({"type": "embeds", "data": {"embeds": [body]}})
        return f"{name}: the embedded result is shown to the user."
    return body


# ---------------------------------------------------------------------------------------------
# Pipe output, as Open WebUI turns it into chunks


def is_stream(value):
    return inspect.isasyncgen(value) or inspect.isgenerator(value) or (
        hasattr(value, "__next__") or hasattr(value, "__anext__")
    ) and not isinstance(value, (str, bytes, dict))


def pipe_item(item):
    """A pipe's item as a chunk: text, a chunk dict, or None to skip (`data: [DONE]`, blank lines)."""
    if hasattr(item, "model_dump"):
        item = item.model_dump(mode="json")
    if isinstance(item, (bytes, bytearray)):
        item = bytes(item).decode("utf-8", "replace")
    if isinstance(item, dict):
        return item
    if isinstance(item, str):
        if item.startswith("data:"):
            data = item[5:].strip()
            if data in ("", "[DONE]"):
                return None
            try:
                return json.loads(data)
            except ValueError:
                return data
        return item if item != "" else None
    return str(item)


def collect_sync(iterator):
    return [chunk for chunk in (pipe_item(item) for item in iterator) if chunk is not None]


async def collect(value):
    if inspect.isasyncgen(value) or hasattr(value, "__anext__"):
        return [chunk for chunk in [pipe_item(item) async for item in value] if chunk is not None]
    return collect_sync(value)


def plain_result(value):
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    return value


# ---------------------------------------------------------------------------------------------
# Entry points


tasks = {}
streams = {}
sessions = {}
contexts = {}


async def await_hook(request_json):
    request = json.loads(request_json)
    invocation_id = request.get("invocationId")
    task = asyncio.current_task()
    tasks[invocation_id] = task
    try:
        value = await run_hook(request)
        if request.get("hook") == "pipe" and is_stream(value):
            return dumps({"ok": True, "value": None, "chunks": await collect(value)})
        return dumps({"ok": True, "value": plain_result(value)})
    except MemoryError:
        raise
    except BaseException as error:  # noqa: BLE001 - reported to the host, not raised here
        if isinstance(error, (KeyboardInterrupt, SystemExit)):
            raise
        return json.dumps(failure(error))
    finally:
        tasks.pop(invocation_id, None)
        contexts.pop(invocation_id, None)


async def start_pipe(request):
    invocation_id = request.get("invocationId")
    tasks[invocation_id] = asyncio.current_task()
    try:
        value = await run_hook({**request, "hook": "pipe"})
        if is_stream(value):
            streams[invocation_id] = value
            return json.dumps({"ok": True, "kind": "stream"})
        contexts.pop(invocation_id, None)
        return dumps({"ok": True, "kind": "value", "value": plain_result(value)})
    except MemoryError:
        raise
    except Exception as error:  # noqa: BLE001
        contexts.pop(invocation_id, None)
        return json.dumps(failure(error))
    except asyncio.CancelledError as error:
        contexts.pop(invocation_id, None)
        return json.dumps(failure(error))
    finally:
        tasks.pop(invocation_id, None)


async def pull_pipe(invocation_id):
    stream = streams.get(invocation_id)
    if stream is None:
        return json.dumps({"ok": True, "done": True})
    token = current_invocation.set(invocation_id)
    tasks[invocation_id] = asyncio.current_task()
    try:
        while True:
            if inspect.isasyncgen(stream) or hasattr(stream, "__anext__"):
                item = await stream.__anext__()
            else:
                item = next(stream)
            chunk = pipe_item(item)
            if chunk is not None:
                return dumps({"ok": True, "done": False, "value": chunk})
    except (StopIteration, StopAsyncIteration):
        streams.pop(invocation_id, None)
        contexts.pop(invocation_id, None)
        return json.dumps({"ok": True, "done": True})
    except MemoryError:
        raise
    except (Exception, asyncio.CancelledError) as error:  # noqa: BLE001
        streams.pop(invocation_id, None)
        contexts.pop(invocation_id, None)
        return json.dumps(failure(error))
    finally:
        tasks.pop(invocation_id, None)
        current_invocation.reset(token)


async def stop_pipe(invocation_id):
    cancel(invocation_id)
    contexts.pop(invocation_id, None)
    stream = streams.pop(invocation_id, None)
    try:
        if inspect.isasyncgen(stream):
            await stream.aclose()
        elif hasattr(stream, "close"):
            stream.close()
    except Exception as error:  # noqa: BLE001
        channel.log("warn", f"the pipe's stream failed to close: {error}", invocation_id)


def open_stream_session(request):
    invocation_id = request.get("invocationId")
    try:
        if plugin.kind != "filter":
            raise PluginError("INVALID_INPUT", f'This {plugin.kind} plugin has no "stream" hook')
        function = getattr(plugin.instance, "stream", None)
        if function is None:
            return {"ok": True, "passThrough": True}
        call = Call(request)
        call.apply_valves()
        sessions[invocation_id] = {"function": function, "special": call.special_arguments(), "tail": None}
        return {"ok": True, "passThrough": False}
    except Exception as error:  # noqa: BLE001
        return failure(error)


async def stream_chunk(session_id, chunk_json):
    session = sessions.get(session_id)
    if session is None:
        return {"ok": False, "error": {"code": "INVALID_INPUT", "message": "This stream session is closed"}}
    token = current_invocation.set(session_id)
    try:
        event = json.loads(chunk_json)
        function = session["function"]
        result = await call_function(function, arguments_for(function, {**session["special"], "event": event}))
        # Open WebUI: what the hook returns replaces the chunk; a falsy return drops it.
        if not result:
            return None
        return dumps(result)
    except MemoryError:
        raise
    except Exception as error:  # noqa: BLE001
        return failure(error)
    finally:
        current_invocation.reset(token)


def cancel(invocation_id):
    task = tasks.pop(invocation_id, None)
    if task is not None and task is not asyncio.current_task():
        task.cancel()


# ---------------------------------------------------------------------------------------------
# The message loop

outbox = []


def post_chunk(session_id, sequence, answer):
    if not outbox:
        channel.loop.call_soon(flush_chunks)
    outbox.append([session_id, sequence, answer])


def flush_chunks():
    items = outbox[:]
    outbox.clear()
    channel.send({"t": "chunked", "items": items})


async def run_chunk(session_id, sequence, chunk_json, previous):
    if previous is not None:
        await previous
    post_chunk(session_id, sequence, await stream_chunk(session_id, chunk_json))


def queue_chunk(session_id, sequence, chunk_json):
    session = sessions.get(session_id)
    previous = session["tail"] if session else None
    task = asyncio.ensure_future(run_chunk(session_id, sequence, chunk_json, previous))
    if session is not None:
        session["tail"] = task


async def answer(message_id, work):
    try:
        result = await work()
        channel.send({"t": "reply", "id": message_id, "json": result})
    except MemoryError:
        out_of_memory(message_id)
    except PluginError as error:
        channel.send({"t": "reply", "id": message_id, "error": str(error)})
    except BaseException as error:  # noqa: BLE001
        channel.send({"t": "reply", "id": message_id, "error": f"{type(error).__name__}: {error}"})


def out_of_memory(_message_id):
    # As in the other tiers, running out of memory ends the process: the host reports the limit
    # (PLUGIN_MEMORY_LIMIT, naming plugin and hook) for every call in flight, and starts it again.
    os._exit(OUT_OF_MEMORY_EXIT)


async def load_entry(message):
    return json.dumps(load(message["pluginId"], message["code"]))


async def call_entry(method, args):
    if method == "ping":
        return "null"
    if method == "validateValves":
        return json.dumps(validate_valves(args[0], args[1]))
    if method == "valvesSpec":
        return json.dumps(valves_spec(args[0], args[1]))
    if method == "awaitHook":
        return await await_hook(args[0])
    if method == "startPipe":
        return await start_pipe(args[0])
    if method == "pullPipe":
        return await pull_pipe(args[0])
    if method == "openStreamSession":
        return json.dumps(open_stream_session(args[0]))
    raise PluginError("INVALID_INPUT", f"Unknown runtime method {method!r}")


def signal_entry(method, args):
    invocation_id = args[0] if args else None
    if method == "abortInvocation":
        cancel(invocation_id)
    elif method == "stopPipe":
        asyncio.ensure_future(stop_pipe(invocation_id))
    elif method == "closeStreamSession":
        sessions.pop(invocation_id, None)
        contexts.pop(invocation_id, None)


def dispatch(message):
    kind = message.get("t")
    if kind == "load":
        asyncio.ensure_future(answer(message["id"], lambda: load_entry(message)))
    elif kind == "call":
        asyncio.ensure_future(answer(message["id"], lambda: call_entry(message["method"], message.get("args") or [])))
    elif kind == "signal":
        signal_entry(message["method"], message.get("args") or [])
    elif kind == "chunks":
        for session_id, sequence, chunk_json in message["items"]:
            queue_chunk(session_id, sequence, chunk_json)
    elif kind == "host-reply":
        channel.host_reply(message["id"], message["json"])


def read_messages(loop):
    for line in sys.stdin.buffer:
        try:
            message = json.loads(line)
        except ValueError:
            continue
        try:
            if channel.take_sync_reply(message) or sluice_sockets.take_host_message(message):
                continue
        except Exception as error:  # noqa: BLE001 - the reader must outlive any one message
            channel.log("error", f"a message from the server could not be handled: {type(error).__name__}: {error}")
            continue
        loop.call_soon_threadsafe(dispatch, message)
    # The server closed our stdin: it is gone, and so is the reason to run.
    os._exit(0)


def limit_memory(megabytes):
    try:
        import resource

        # The interpreter and its libraries take address space before the plugin allocates anything.
        limit = (megabytes + 128) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError) as error:
        channel.log("warn", f"the memory limit could not be set: {error}")


# ---------------------------------------------------------------------------------------------
# What the `open_webui` shims (runtime/shims/open_webui) reach of the host


class HostBridge:
    """`sluice_host`: the service channel and the facts of the running call, for the shims."""

    @staticmethod
    def context():
        return contexts.get(current_invocation.get()) or {}

    @staticmethod
    def user():
        return HostBridge.context().get("user")

    @staticmethod
    async def serve(method, *args):
        return await channel.ask_host("serve", HostBridge.invocation(), {"method": method, "args": list(args)})

    @staticmethod
    def serve_sync(method, *args):
        return channel.ask_host_sync("serve", HostBridge.invocation(), {"method": method, "args": list(args)})

    @staticmethod
    def ask_sync(capability, value):
        """Any host capability, blocking (sluice_network.py asks for fetch, fetchRead, fetchClose)."""
        return channel.ask_host_sync(capability, HostBridge.invocation(), value)

    @staticmethod
    def invocation():
        invocation_id = current_invocation.get()
        if invocation_id is None:
            raise PluginError("INVALID_INPUT", "Open WebUI's helpers reach the server only while a hook runs (not at import time)")
        return invocation_id


class MissingOpenWebUI:
    """Last on `sys.meta_path`: an `open_webui` module Sluice has no shim for fails by name."""

    @staticmethod
    def find_spec(fullname, path=None, target=None):
        if fullname == "open_webui" or fullname.startswith("open_webui."):
            raise ModuleNotFoundError(
                f"Sluice does not provide {fullname} (Open WebUI's server internals); "
                "see docs/plugins.md for the open_webui names it provides",
                name=fullname,
            )
        return None


def install_shims():
    here = os.path.dirname(os.path.abspath(__file__))
    # open_webui comes first; fastapi and starlette only where they are not installed.
    sys.path.insert(0, os.path.join(here, "shims"))
    sys.path.append(os.path.join(here, "fallbacks"))
    sys.meta_path.append(MissingOpenWebUI)
    bridge = types.ModuleType("sluice_host")
    for name in ("context", "user", "serve", "serve_sync", "ask_sync", "invocation"):
        setattr(bridge, name, getattr(HostBridge, name))
    bridge.PluginError = PluginError
    sys.modules["sluice_host"] = bridge


def main():
    global channel
    if "--check" in sys.argv:
        print(json.dumps(check_source(sys.stdin.read())))
        return
    channel = Channel()
    # Set only to find a shared libpython in an installation the plugin's OS user reaches through a descriptor (python-launch.ts).
    os.environ.pop("LD_LIBRARY_PATH", None)
    # Read by glibc as the process started (python-child.ts); nothing for the plugin.
    os.environ.pop("MALLOC_ARENA_MAX", None)
    install_shims()
    if len(sys.argv) > 2:
        # The plugin's `requirements:`, installed with pip --target: after the shims, before site-packages.
        sys.path.insert(1, sys.argv[2])
    # requests (the plugin's own, when it lists it) and urllib go through the host's permission-checked fetch;
    # every other TCP connection (httpx, aiohttp, http.client) is relayed through the same policy.
    global sluice_sockets
    import sluice_network
    import sluice_sockets

    sluice_network.install()
    sluice_sockets.install(channel, contexts)
    loop = asyncio.SelectorEventLoop(sluice_sockets.WaitingSelector())
    asyncio.set_event_loop(loop)
    channel.loop = loop
    if len(sys.argv) > 1:
        limit_memory(int(sys.argv[1]))
    sys.stdout = LogWriter("info")
    sys.stderr = LogWriter("warn")
    logging.basicConfig(level=logging.INFO, handlers=[LogHandler()], force=True)
    loop.set_exception_handler(lambda _loop, context: channel.log("error", f"Uncaught: {context.get('exception') or context.get('message')}"))
    threading.Thread(target=read_messages, args=(loop,), daemon=True).start()
    channel.send({"t": "ready"})
    loop.run_forever()


if __name__ == "__main__":
    main()
