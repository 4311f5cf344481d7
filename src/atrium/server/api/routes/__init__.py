"""One router module per resource."""

from __future__ import annotations

from typing import Any

#: The error envelope's OpenAPI schema, by reference: the app adds ErrorEnvelope to the
#: document's components (``app.AtriumAPI``). ERRORS giving FastAPI the model instead makes it
#: adapt the model for each route and status, about 1,000 times per start (0.1 s of CPU).
ERROR_SCHEMA = {"$ref": "#/components/schemas/ErrorEnvelope"}

ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"description": text, "content": {"application/json": {"schema": ERROR_SCHEMA}}}
    for status, text in {
        400: "Bad request",
        401: "Not signed in, or the token is not valid",
        403: "Signed in, but not allowed",
        404: "Not found (or not visible to you)",
        409: "Conflicts with the current state",
        413: "Request body too large",
        422: "Invalid input",
    }.items()
}
