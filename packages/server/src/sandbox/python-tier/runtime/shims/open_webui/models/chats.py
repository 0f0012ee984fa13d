"""open_webui.models.chats: `Chats`, the request's own chat only (the host API's `chat.get`); any other id reads as no chat."""

from typing import Optional

import sluice_host
from pydantic import BaseModel, ConfigDict


class ChatModel(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    user_id: str
    title: str
    chat: dict


class ChatsTable:
    def get_chat_by_id(self, id) -> Optional[ChatModel]:
        chat = sluice_host.serve_sync("chat.get")
        if not chat or chat.get("id") != id:
            return None
        user = sluice_host.user() or {}
        body = {"title": chat.get("title"), "messages": chat.get("messages") or [], "files": chat.get("files") or []}
        return ChatModel(id=chat["id"], user_id=user.get("id", ""), title=chat.get("title") or "", chat=body)

    def get_chat_by_id_and_user_id(self, id, user_id) -> Optional[ChatModel]:
        chat = self.get_chat_by_id(id)
        return chat if chat is not None and chat.user_id == user_id else None


Chats = ChatsTable()
