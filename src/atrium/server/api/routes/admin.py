"""Platform maintenance."""

from __future__ import annotations

from fastapi import APIRouter

from atrium.contracts.datasets import GcReport, GcRequest
from atrium.server.api.deps import Ctx, Services
from atrium.server.api.routes import ERRORS

router = APIRouter(prefix="/admin", tags=["admin"], responses=ERRORS)


@router.post("/gc", name="admin.gc")
def collect_garbage(body: GcRequest, ctx: Ctx, hub: Services) -> GcReport:
    """Delete blobs that no live dataset version references (``dry_run`` only reports)."""
    return hub.transfers.gc(ctx, body.dry_run, body.grace_seconds)
