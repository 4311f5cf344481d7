"""Health and version."""

from __future__ import annotations

from fastapi import APIRouter

from atrium.contracts.common import Health
from atrium.server.api.deps import Services
from atrium.server.api.routes import ERRORS
from atrium.server.version import VERSION

router = APIRouter(tags=["system"], responses=ERRORS)


@router.get("/health", name="system.health")
def health(hub: Services) -> Health:
    return Health(status="ok", version=VERSION, database=hub.db.dialect)
