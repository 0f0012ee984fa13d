"""open_webui.models.users: `Users` answers for the requesting user only (another id reads as no user)."""

from typing import Optional

import sluice_host
from pydantic import BaseModel, ConfigDict


class UserModel(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    name: str = ""
    email: str = ""
    role: str = "user"
    profile_image_url: str = ""
    settings: Optional[dict] = None
    info: Optional[dict] = None


def _requester():
    user = sluice_host.user()
    if not user:
        return None
    return UserModel(**{key: value for key, value in user.items() if key != "valves"})


class UsersTable:
    def get_user_by_id(self, id):
        user = _requester()
        return user if user is not None and user.id == id else None

    def get_user_by_email(self, email):
        user = _requester()
        return user if user is not None and user.email.lower() == str(email).lower() else None


Users = UsersTable()
