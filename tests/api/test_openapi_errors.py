"""The error envelope in the OpenAPI document: routes refer to it, and its schemas are there as
FastAPI would have written them from the model (the app adds them itself, see routes.ERRORS)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI

from atrium.contracts.common import ErrorEnvelope
from atrium.server.app import create_app
from atrium.server.settings import Settings

ERROR_STATUSES = {"400", "401", "403", "404", "409", "413", "422"}


def _fastapi_own(model: type[ErrorEnvelope]) -> dict[str, Any]:
    probe = FastAPI()

    @probe.get("/probe", responses={400: {"model": model}})
    def handler() -> None: ...

    return probe.openapi()["components"]["schemas"]  # type: ignore[no-any-return]


def test_every_operation_documents_the_error_envelope(tmp_path: Path) -> None:
    document = create_app(Settings(home=tmp_path / "home", scheduler=False)).openapi()
    ref = {"$ref": "#/components/schemas/ErrorEnvelope"}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert set(responses) >= ERROR_STATUSES, (method, path)
            for status in ERROR_STATUSES:
                assert responses[status]["content"]["application/json"]["schema"] == ref
    schemas = document["components"]["schemas"]
    own = _fastapi_own(ErrorEnvelope)
    assert {name: schemas[name] for name in ("ErrorEnvelope", "ErrorDetail")} == {
        name: own[name] for name in ("ErrorEnvelope", "ErrorDetail")
    }
    assert list(schemas) == sorted(schemas)
