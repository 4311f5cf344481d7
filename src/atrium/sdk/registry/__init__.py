"""The model registry in the SDK: ``client.models``, ``atrium.load_model`` and
``atrium.log_model``."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from atrium.sdk.client import Client

GROUP_ENV = "ATRIUM_GROUP"


def load_model(
    ref: str,
    *,
    group: str | None = None,
    flavor: str | None = None,
    client: Client | None = None,
) -> Any:
    """Load the version ``ref`` names (``models:/name@production``, ``models:/name/3``) in
    ``group`` (default ``$ATRIUM_GROUP``); see :meth:`ModelsResource.load`."""
    from atrium.sdk.client import Client

    group = group or os.environ.get(GROUP_ENV)
    if not group:
        raise ValueError(f"which group's model? pass group= or set {GROUP_ENV}")
    if client is not None:
        return client.models.load(group, ref, flavor=flavor)
    with Client() as own:
        return own.models.load(group, ref, flavor=flavor)
