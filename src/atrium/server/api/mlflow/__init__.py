"""MLflow's tracking and model-registry REST API, per group, at ``/mlflow/<group>``.

The real ``mlflow`` client (3.x) works against ``MLFLOW_TRACKING_URI=<atrium>/mlflow/<group>``
with an Atrium API token in ``MLFLOW_TRACKING_TOKEN``. Each module translates one resource onto
Atrium's services; nothing here stores anything of its own (docs/mlflow.md).

The resource modules are imported by :func:`router`, not here: the app builds that router on
the first MLflow request (``api.lazy``), so a server no MLflow client talks to never pays for it.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from atrium.server.api.mlflow.errors import MlflowError, MlflowRoute

PREFIX = "/mlflow/{group}"
#: The paths :func:`router` answers, all of them (its last route is a catch-all).
PATHS = r"^/mlflow/[^/]+/"
# Bodies over the default limit: artifact uploads, and log batches of up to 1,000 metrics.
BODY_LIMITS = (
    (r"^/mlflow/[^/]+/api/2\.0/mlflow-artifacts/artifacts/", 8 * 2**30),
    (r"^/mlflow/[^/]+/api/2\.0/mlflow/runs/log-(batch|inputs)$", 32 * 2**20),
)


def router() -> APIRouter:
    """Every MLflow route under ``/mlflow/{group}``, out of the OpenAPI document: MLflow's
    own REST docs are this API's contract."""
    from atrium.server.api.mlflow import (
        artifacts,
        experiments,
        logged_models,
        model_versions,
        registered_models,
        run_data,
        runs,
    )

    mounted = APIRouter(prefix=PREFIX, include_in_schema=False)
    modules = (
        experiments,
        runs,
        run_data,
        artifacts,
        logged_models,
        registered_models,
        model_versions,
    )
    for module in modules:
        mounted.include_router(module.router)
    mounted.add_api_route(
        "/{path:path}",
        unsupported,
        methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        name="mlflow.unsupported",
        route_class_override=MlflowRoute,
    )
    return mounted


def unsupported(group: str, path: str, request: Request) -> Response:
    """MLflow's answer to an endpoint it does not serve, which the client knows how to read
    (rather than the dashboard's 404). The same for every group: it reveals nothing. The
    tracking URI itself, where the client's "View run at" links lead, opens the dashboard."""
    if not path and request.method == "GET":
        return RedirectResponse(f"/g/{quote(group, safe='')}/experiments")
    raise MlflowError(
        "ENDPOINT_NOT_FOUND",
        f"/{path} is not part of Atrium's MLflow API; docs/mlflow.md lists what is",
    )
