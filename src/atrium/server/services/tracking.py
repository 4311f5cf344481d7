"""The tracking services, built together: one field of the hub."""

from __future__ import annotations

from dataclasses import dataclass

from atrium.server.backends.blobstore import BlobStore
from atrium.server.domain.clock import Clock
from atrium.server.services.audit import Auditor
from atrium.server.services.experiments import ExperimentService
from atrium.server.services.quotas import QuotaService
from atrium.server.services.run_artifacts import RunArtifactService, StorageAccount
from atrium.server.services.run_logging import RunLogging
from atrium.server.services.run_search import RunSearchService
from atrium.server.services.runs import RunService
from atrium.server.store.db import Database


@dataclass(frozen=True)
class Tracking:
    experiments: ExperimentService
    runs: RunService
    logging: RunLogging
    search: RunSearchService
    artifacts: RunArtifactService

    @classmethod
    def build(
        cls, db: Database, clock: Clock, auditor: Auditor, blobs: BlobStore, quotas: QuotaService
    ) -> Tracking:
        storage = StorageAccount(quotas)
        experiments = ExperimentService(db, clock, auditor, storage)
        return cls(
            experiments=experiments,
            runs=RunService(db, clock, auditor, experiments, storage),
            logging=RunLogging(db, clock),
            search=RunSearchService(db),
            artifacts=RunArtifactService(db, clock, auditor, blobs, storage),
        )
