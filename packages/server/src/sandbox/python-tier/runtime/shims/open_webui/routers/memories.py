"""open_webui.routers.memories: the route functions plugins call directly, as the requesting user."""

from typing import Optional

import sluice_host
from open_webui.models.memories import to_model
from pydantic import BaseModel


class AddMemoryForm(BaseModel):
    content: str


class MemoryUpdateModel(BaseModel):
    content: Optional[str] = None


class QueryMemoryForm(BaseModel):
    content: str
    k: Optional[int] = 1


class SearchResult(BaseModel):
    """Open WebUI's vector search result: one list per query."""

    ids: list
    documents: list
    metadatas: list
    distances: list


def _user_id():
    return (sluice_host.user() or {}).get("id", "")


def _content(form_data):
    return form_data.content if hasattr(form_data, "content") else form_data["content"]


async def add_memory(request=None, form_data=None, user=None, **_ignored):
    return to_model(await sluice_host.serve("memories.add", _content(form_data)), _user_id())


async def query_memory(request=None, form_data=None, user=None, **_ignored):
    k = getattr(form_data, "k", None) if not isinstance(form_data, dict) else form_data.get("k")
    matches = await sluice_host.serve("memories.query", _content(form_data), {"k": k or 1})
    return SearchResult(
        ids=[[match["id"] for match in matches]],
        documents=[[match["content"] for match in matches]],
        metadatas=[[{} for _ in matches]],
        distances=[[match.get("score") for match in matches]],
    )


async def get_memories(request=None, user=None, **_ignored):
    return [to_model(memory, _user_id()) for memory in await sluice_host.serve("memories.list")]


async def update_memory_by_id(memory_id, request=None, form_data=None, user=None, **_ignored):
    return to_model(await sluice_host.serve("memories.update", memory_id, _content(form_data)), _user_id())


async def delete_memory_by_id(memory_id, request=None, user=None, **_ignored):
    return await sluice_host.serve("memories.delete", memory_id) is True
