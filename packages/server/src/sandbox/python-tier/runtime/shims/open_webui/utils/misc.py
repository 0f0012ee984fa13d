"""open_webui.utils.misc: the message helpers plugins use, written for Sluice (same names, same results)."""

import time
import uuid


def get_content_from_message(message):
    """The text of a message whose content is a string or a list of parts."""
    content = (message or {}).get("content")
    if isinstance(content, list):
        for part in content:
            if isinstance(part, dict) and part.get("type") == "text":
                return part.get("text")
        return None
    return content


def get_messages_content(messages):
    return "\n".join(f"{message['role'].upper()}: {get_content_from_message(message)}" for message in messages)


def _last(messages, role):
    for message in reversed(messages or []):
        if message.get("role") == role:
            return message
    return None


def get_last_user_message_item(messages):
    return _last(messages, "user")


def get_last_user_message(messages):
    message = _last(messages, "user")
    return get_content_from_message(message) if message is not None else None


def get_last_assistant_message_item(messages):
    return _last(messages, "assistant")


def get_last_assistant_message(messages):
    message = _last(messages, "assistant")
    return get_content_from_message(message) if message is not None else None


def get_system_message(messages):
    for message in messages or []:
        if message.get("role") == "system":
            return message
    return None


def remove_system_message(messages):
    return [message for message in messages if message.get("role") != "system"]


def pop_system_message(messages):
    return get_system_message(messages), remove_system_message(messages)


def prepend_to_first_user_message_content(content, messages):
    for message in messages:
        if message.get("role") == "user":
            if isinstance(message.get("content"), list):
                for part in message["content"]:
                    if part.get("type") == "text":
                        part["text"] = f"{content}\n{part['text']}"
            else:
                message["content"] = f"{content}\n{message['content']}"
            break
    return messages


def add_or_update_system_message(content, messages, append=False):
    """Puts `content` in the first message if it is a system message (before its text, or after with `append`), else adds one."""
    if messages and messages[0].get("role") == "system":
        existing = messages[0].get("content") or ""
        messages[0]["content"] = f"{existing}\n{content}" if append else f"{content}\n{existing}"
    else:
        messages.insert(0, {"role": "system", "content": content})
    return messages


def add_or_update_user_message(content, messages, append=True):
    if messages and messages[-1].get("role") == "user":
        existing = messages[-1].get("content") or ""
        messages[-1]["content"] = f"{existing}\n{content}" if append else f"{content}\n{existing}"
    else:
        messages.append({"role": "user", "content": content})
    return messages


def append_or_update_assistant_message(content, messages):
    if messages and messages[-1].get("role") == "assistant":
        messages[-1]["content"] = f"{messages[-1]['content']}\n{content}"
    else:
        messages.append({"role": "assistant", "content": content})
    return messages


def _template(model):
    return {"id": f"{model}-{uuid.uuid4()}", "created": int(time.time()), "model": model, "choices": [{"index": 0, "logprobs": None, "finish_reason": None}]}


def openai_chat_message_template(model):
    return _template(model)


def openai_chat_chunk_message_template(model, content=None, reasoning_content=None, tool_calls=None, usage=None):
    template = _template(model)
    template["object"] = "chat.completion.chunk"
    delta = {}
    if content:
        delta["content"] = content
    if reasoning_content:
        delta["reasoning_content"] = reasoning_content
    if tool_calls:
        delta["tool_calls"] = tool_calls
    template["choices"][0]["delta"] = delta
    if not (content or reasoning_content or tool_calls):
        template["choices"][0]["finish_reason"] = "stop"
    if usage:
        template["usage"] = usage
    return template


def openai_chat_completion_message_template(model, message=None, reasoning_content=None, tool_calls=None, usage=None):
    template = _template(model)
    template["object"] = "chat.completion"
    reply = {"role": "assistant", "content": message}
    if reasoning_content:
        reply["reasoning_content"] = reasoning_content
    if tool_calls:
        reply["tool_calls"] = tool_calls
    template["choices"][0]["message"] = reply
    template["choices"][0]["finish_reason"] = "tool_calls" if tool_calls else "stop"
    if usage:
        template["usage"] = usage
    return template
