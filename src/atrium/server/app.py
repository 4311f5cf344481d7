"""Composition root: build the FastAPI app from settings."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, FastAPI, Response
from fastapi.encoders import jsonable_encoder
from fastapi.openapi.models import Schema
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from pydantic.json_schema import models_json_schema
from starlette.routing import BaseRoute

from atrium.contracts.common import ErrorEnvelope
from atrium.server.api import errors, mlflow, static
from atrium.server.api.lazy import LazyRouter
from atrium.server.api.middleware import BodyLimit, Metrics, RequestId
from atrium.server.api.routes import (
    admin,
    audit,
    auth,
    blobs,
    dataset_versions,
    datasets,
    experiments,
    groups,
    instance_types,
    invitations,
    jobs,
    models,
    notifications,
    quotas,
    runs,
    schedules,
    secrets,
    system,
    tokens,
    usage_report,
    users,
)
from atrium.server.backends.blobstore import open_store
from atrium.server.backends.executors import Executor, open_executor
from atrium.server.backends.notify.smtp import SmtpConfig
from atrium.server.domain.clock import Clock
from atrium.server.services.hub import Hub
from atrium.server.services.job_runtime import JobRuntime
from atrium.server.services.secret_box import SecretBox, load_or_create_key
from atrium.server.settings import Settings
from atrium.server.store.db import Database
from atrium.server.version import VERSION
from atrium.server.workers.notifications import NotificationWorker
from atrium.server.workers.scheduler import Scheduler
from atrium.server.workers.schedules import ScheduleTicker

API_PREFIX = "/api/v1"
ROUTERS = (
    system,
    auth,
    tokens,
    users,
    groups,
    quotas,
    instance_types,
    invitations,
    audit,
    datasets,
    dataset_versions,
    blobs,
    jobs,
    schedules,
    secrets,
    notifications,
    experiments,
    runs,
    models,
    usage_report,
    admin,
)
# Bodies bigger than the default limit, by path: blob uploads and large manifests.
BODY_LIMITS = (
    (r"^/api/v1/groups/[^/]+/datasets/[^/]+/blobs/(pack|[0-9a-f]{64})$", 80 * 2**20),
    (r"^/api/v1/groups/[^/]+/datasets/[^/]+/versions(/plan)?$", 512 * 2**20),
    (r"^/api/v1/groups/[^/]+/runs/[0-9a-f]{32}/log-batch$", 32 * 2**20),
    (r"^/api/v1/groups/[^/]+/runs/[0-9a-f]{32}/artifacts/file$", 8 * 2**30),
    (r"^/api/v1/groups/[^/]+/models/[^/]+/versions/[0-9]+/files/content$", 8 * 2**30),
    *mlflow.BODY_LIMITS,
)


class AtriumAPI(FastAPI):
    """FastAPI, with the error envelope the routes document by reference (routes.ERRORS) in
    the OpenAPI document's components."""

    def openapi(self) -> dict[str, Any]:
        document = super().openapi()  # FastAPI keeps it: the schemas are added once
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        if "ErrorEnvelope" not in schemas:
            schemas.update(_error_schemas())
            document["components"]["schemas"] = dict(sorted(schemas.items()))
        return document


def _error_schemas() -> dict[str, Any]:
    """ErrorEnvelope's schemas as FastAPI writes a model's (None values left out)."""
    ref = "#/components/schemas/{model}"
    _, found = models_json_schema([(ErrorEnvelope, "serialization")], ref_template=ref)
    return {
        name: jsonable_encoder(Schema(**schema), by_alias=True, exclude_none=True)
        for name, schema in found["$defs"].items()
    }


def create_app(
    settings: Settings,
    db: Database | None = None,
    clock: Clock | None = None,
    executor: Executor | None = None,
) -> FastAPI:
    """Wire the app. The database must already be migrated (``atrium db upgrade`` or ``up``)."""
    database = db or Database(settings.resolved_database_url, settings.db_pool_size)
    blobs = open_store(settings.resolved_blob_url)
    box = SecretBox(load_or_create_key(settings.secret_key, settings.secret_key_file))
    ttl = timedelta(hours=settings.session_ttl_hours)
    runtime = _job_runtime(settings, executor or open_executor(settings.executor))
    hub = Hub.build(database, clock or Clock(), ttl, blobs, box, runtime, _smtp(settings))
    scheduler = Scheduler(
        hub.job_admission,
        hub.job_monitor,
        hub.jobs.signal,
        single_writer=database.dialect == "sqlite",
    )
    ticker = ScheduleTicker(hub.schedule_ticks, hub.clock)
    notifier = NotificationWorker(hub.notifications.dispatcher, hub.clock)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if settings.scheduler:
            scheduler.start()
            ticker.start()
            notifier.start()
        yield
        ticker.stop()
        scheduler.stop()
        notifier.stop()  # last: it sends what the scheduler's final pass queued
        if executor is None:
            runtime.executor.close()
        if db is None:
            database.dispose()

    app = AtriumAPI(
        title="Atrium",
        version=VERSION,
        description="Groups, quotas, datasets, jobs, models and deployments in one hub.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # served below, without a CDN
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.hub = hub
    app.state.settings = settings
    app.state.scheduler = scheduler
    app.state.schedule_ticker = ticker
    app.state.notification_worker = notifier
    registry = CollectorRegistry()
    app.add_api_route(
        "/metrics", _metrics_endpoint(registry), include_in_schema=False, name="metrics"
    )
    app.router.routes.extend(_shared_routes())
    errors.install(app)
    app.add_middleware(Metrics, registry=registry)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes, overrides=BODY_LIMITS)
    app.add_middleware(RequestId)
    return app


@functools.cache
def _shared_routes() -> tuple[BaseRoute, ...]:
    """Every route but /metrics, built once per process and shared by its apps.

    FastAPI analyses an endpoint's signature when it is declared, and again, lazily, for each
    inclusion that gives it a prefix (0.3 s for Atrium's routes). The routers are included
    here with their prefix, which FastAPI does not analyse until a request or the OpenAPI
    document needs it: including one without a prefix makes FastAPI analyse every route it
    holds right away, only to check that none has an empty path. Sharing the routes lets the
    hundreds of apps the test suite builds pay that once. They hold no state of an app:
    handlers reach the hub through ``request.app.state``.
    """
    api = APIRouter()
    for module in ROUTERS:
        api.include_router(module.router, prefix=API_PREFIX)
    pages = APIRouter()
    pages.include_router(static.docs_router(f"{API_PREFIX}/openapi.json", f"{API_PREFIX}/docs"))
    pages.include_router(static.router())
    # MLflow's before the dashboard's catch-all; built on the first MLflow request.
    return (*api.routes, LazyRouter(mlflow.PATHS, mlflow.router, name="mlflow"), *pages.routes)


def _job_runtime(settings: Settings, executor: Executor) -> JobRuntime:
    return JobRuntime(
        executor=executor,
        jobs_root=settings.jobs_dir,
        public_url=settings.resolved_public_url,
        environments_root=settings.job_environments,
        sample_interval=settings.job_sample_seconds,
    )


def _smtp(settings: Settings) -> SmtpConfig | None:
    if not settings.smtp_host:
        return None
    return SmtpConfig(
        host=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username,
        password=settings.smtp_password,
        sender=settings.smtp_from,
        starttls=settings.smtp_starttls,
    )


def _metrics_endpoint(registry: CollectorRegistry) -> Callable[[], Response]:
    def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return metrics
