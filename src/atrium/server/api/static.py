"""Serve the built dashboard: real files under the static dir, index.html for SPA routes."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse

STATIC_DIR = Path(__file__).resolve().parents[2] / "web" / "static"
RESERVED = ("api/", "metrics", "mlflow/")


def docs_router(openapi_url: str, docs_url: str) -> APIRouter:
    """The API's interactive docs, with the Swagger UI the dashboard build ships (FastAPI's
    default page loads it from a CDN, and stays blank on a machine without internet)."""
    r = APIRouter(include_in_schema=False)

    @r.get(docs_url, name="swagger_ui_html")
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title="Atrium API",
            swagger_js_url="/swagger/swagger-ui-bundle.js",
            swagger_css_url="/swagger/swagger-ui.css",
            swagger_favicon_url="/swagger/favicon-32x32.png",
        )

    return r


def router(static_dir: Path = STATIC_DIR) -> APIRouter:
    root = static_dir.resolve()
    r = APIRouter(include_in_schema=False)

    @r.get("/{path:path}", name="dashboard")
    def dashboard(path: str) -> FileResponse:
        if path.startswith(RESERVED):
            raise HTTPException(404, f"no such endpoint: /{path}")
        candidate = (root / path).resolve()
        # resolve() collapses "..": anything that lands outside the static dir is not ours.
        if path and candidate.is_relative_to(root) and candidate.is_file():
            cache = (
                "public, max-age=31536000, immutable" if path.startswith("assets/") else "no-cache"
            )
            return FileResponse(candidate, headers={"Cache-Control": cache})
        index = root / "index.html"
        if not index.is_file():
            raise HTTPException(404, "the dashboard is not built: run `make web`")
        return FileResponse(index, headers={"Cache-Control": "no-cache"})

    return r
