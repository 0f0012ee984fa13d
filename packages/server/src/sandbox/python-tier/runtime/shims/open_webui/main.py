"""open_webui.main: only the model call older plugins import from here (see open_webui.utils.chat)."""

from open_webui.utils.chat import generate_chat_completion  # noqa: F401

generate_chat_completions = generate_chat_completion
