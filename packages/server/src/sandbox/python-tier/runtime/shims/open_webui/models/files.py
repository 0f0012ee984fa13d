"""open_webui.models.files: `Files.get_file_by_id`, for files the requesting user may read (the host API's `files.read`)."""

from typing import Optional

import sluice_host
from pydantic import BaseModel, ConfigDict


class FileModel(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    user_id: Optional[str] = None
    filename: str
    meta: dict = {}
    data: Optional[dict] = None


class FilesTable:
    def get_file_by_id(self, id) -> Optional[FileModel]:
        try:
            head = sluice_host.serve_sync("files.read", id)
        except sluice_host.PluginError as error:
            if error.code in ("NOT_FOUND", "FORBIDDEN"):
                return None
            raise
        user = sluice_host.user() or {}
        meta = {"name": head["name"], "content_type": head.get("contentType"), "size": head.get("size")}
        return FileModel(id=head["id"], user_id=user.get("id"), filename=head["name"], meta=meta)

    def get_file_metadata_by_id(self, id):
        found = self.get_file_by_id(id)
        return None if found is None else {"id": found.id, "meta": found.meta}


Files = FilesTable()
