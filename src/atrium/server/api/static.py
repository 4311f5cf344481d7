"""Serve the built dashboard: real files under the static dir, index.html for SPA routes."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

STATIC_DIR = Path(__file__).resolve().parents[2] / "web" / "static"
RESERVED = ("api/", "metrics", "mlflow/")


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
