"""One router module per resource."""

from __future__ import annotations

from typing import Any

from atrium.contracts.common import ErrorEnvelope

ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorEnvelope, "description": text}
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
