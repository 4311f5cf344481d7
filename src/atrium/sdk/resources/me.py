"""The signed-in user: ``client.me()`` and ``client.me.change_password(...)``."""

from __future__ import annotations

from atrium.sdk.models import Me
from atrium.sdk.resources._base import Resource


class MeResource(Resource):
    def __call__(self) -> Me:
        """Shorthand for :meth:`get`."""
        return self.get()

    def get(self) -> Me:
        """The signed-in user and the groups they belong to, with their role in each."""
        return Me.from_api(self._http.request("GET", "/me"))

    def change_password(self, current_password: str, new_password: str) -> None:
        self._http.request(
            "POST",
            "/me/password",
            json={"current_password": current_password, "new_password": new_password},
        )
