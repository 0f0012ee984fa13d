"""open_webui.models.memories: `Memories`, the requesting user's memories (the host API's `memories.*`)."""

from typing import Optional

import sluice_host
from pydantic import BaseModel


class MemoryModel(BaseModel):
    id: str
    user_id: str
    content: str
    created_at: int
    updated_at: int


def _check_user(user_id):
    user = sluice_host.user() or {}
    if user.get("id") != user_id:
        raise sluice_host.PluginError("FORBIDDEN", "A plugin reaches only the requesting user's memories")
    return user_id


def to_model(memory, user_id):
    return MemoryModel(
        id=memory["id"],
        user_id=user_id,
        content=memory["content"],
        created_at=int(memory.get("createdAt", 0)),
        updated_at=int(memory.get("updatedAt", 0)),
    )


class MemoriesTable:
    def get_memories_by_user_id(self, user_id) -> list:
        _check_user(user_id)
        return [to_model(memory, user_id) for memory in sluice_host.serve_sync("memories.list")]

    def insert_new_memory(self, user_id, content) -> Optional[MemoryModel]:
        _check_user(user_id)
        return to_model(sluice_host.serve_sync("memories.add", content), user_id)

    def update_memory_by_id_and_user_id(self, id, user_id, content) -> Optional[MemoryModel]:
        _check_user(user_id)
        return to_model(sluice_host.serve_sync("memories.update", id, content), user_id)

    def delete_memory_by_id_and_user_id(self, id, user_id) -> bool:
        _check_user(user_id)
        return sluice_host.serve_sync("memories.delete", id) is True


Memories = MemoriesTable()
