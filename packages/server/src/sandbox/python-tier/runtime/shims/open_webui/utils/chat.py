"""open_webui.utils.chat.generate_chat_completion: a model call through Sluice's own pipeline
(the host API's `models.complete`), as the requesting user, whatever `user` is passed."""

import json

import sluice_host
from starlette.responses import StreamingResponse


def _body(form_data):
    if hasattr(form_data, "model_dump"):
        form_data = form_data.model_dump(exclude_none=True)
    if not isinstance(form_data, dict):
        raise TypeError(f"generate_chat_completion expects the request as a dict, got {type(form_data).__name__}")
    # Open WebUI's own keys that are not part of a chat request.
    return {key: value for key, value in form_data.items() if key not in ("metadata", "user", "bypass_filter")}


async def generate_chat_completion(request=None, form_data=None, user=None, bypass_filter=False, **_ignored):
    """A chat completion dict, or for `stream: True` a StreamingResponse of `data:` lines (bytes), as Open WebUI answers."""
    body = _body(form_data)
    answer = await sluice_host.serve("models.complete", body, {"filters": not bypass_filter})
    if body.get("stream") is not True:
        return answer
    return StreamingResponse(_chunks(answer["stream"]), media_type="text/event-stream")


async def _chunks(stream_id):
    done = False
    try:
        while True:
            step = await sluice_host.serve("models.next", stream_id)
            if step.get("done"):
                done = True
                break
            yield f"data: {json.dumps(step['chunk'], ensure_ascii=False)}\n\n".encode("utf-8")
        yield b"data: [DONE]\n\n"
    finally:
        if not done:
            await sluice_host.serve("models.close", stream_id)


generate_chat_completions = generate_chat_completion
