"""The model registry's services, built together: one field of the hub (``hub.registry``)."""

from __future__ import annotations

from dataclasses import dataclass

from atrium.contracts.registry import Lineage, ModelVersion
from atrium.server.backends.blobstore import BlobStore
from atrium.server.domain.clock import Clock
from atrium.server.domain.model import Context
from atrium.server.services.audit import Auditor
from atrium.server.services.model_aliases import AliasService
from atrium.server.services.model_files import ModelStorage
from atrium.server.services.model_lineage import LineageService
from atrium.server.services.model_versions import ModelVersionService
from atrium.server.services.models import ModelService
from atrium.server.services.quotas import QuotaService
from atrium.server.store.db import Database


@dataclass(frozen=True)
class Registry:
    models: ModelService
    versions: ModelVersionService
    aliases: AliasService
    lineages: LineageService

    @classmethod
    def build(
        cls, db: Database, clock: Clock, auditor: Auditor, blobs: BlobStore, quotas: QuotaService
    ) -> Registry:
        storage = ModelStorage(quotas)
        return cls(
            models=ModelService(db, clock, auditor, storage),
            versions=ModelVersionService(db, clock, auditor, blobs, storage),
            aliases=AliasService(db, clock, auditor),
            lineages=LineageService(db),
        )

    def resolve(self, ctx: Context, group: str, ref: str) -> ModelVersion:
        """The version ``models:/name/3``, ``models:/name@alias`` or ``models:/name/latest``
        names in ``group``."""
        return self.versions.resolve(ctx, group, ref)

    def lineage(self, ctx: Context, group: str, name: str, version: int) -> Lineage:
        """Version -> run -> job -> environment -> dataset versions."""
        return self.lineages.lineage(ctx, group, name, version)
