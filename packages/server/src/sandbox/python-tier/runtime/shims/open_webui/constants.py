"""open_webui.constants: the task names plugins compare `__task__` with."""

from enum import Enum


class TASKS(str, Enum):
    def __str__(self):
        return super().__str__()

    DEFAULT = lambda task="": f"{task if task else 'generation'}"  # noqa: E731 - Open WebUI's shape
    TITLE_GENERATION = "title_generation"
    FOLLOW_UP_GENERATION = "follow_up_generation"
    TAGS_GENERATION = "tags_generation"
    EMOJI_GENERATION = "emoji_generation"
    QUERY_GENERATION = "query_generation"
    IMAGE_PROMPT_GENERATION = "image_prompt_generation"
    AUTOCOMPLETE_GENERATION = "autocomplete_generation"
    FUNCTION_CALLING = "function_calling"
    MOA_RESPONSE_GENERATION = "moa_response_generation"
