"""The monthly usage report, as JSON or CSV."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from atrium.contracts.usage_report import UsageReport
from atrium.server.api.deps import Ctx, Services
from atrium.server.api.routes import ERRORS

router = APIRouter(prefix="/usage-report", tags=["usage"], responses=ERRORS)
CSV_COLUMNS = ("group", "user", "cpu_core_hours", "memory_gb_hours", "gpu_hours", "attempts")


@router.get(
    "",
    name="usage_report.get",
    response_model=UsageReport,
    responses={200: {"content": {"text/csv": {}}, "description": "JSON, or CSV with format=csv"}},
)
def usage_report(
    ctx: Ctx,
    hub: Services,
    month: Annotated[str | None, Query(max_length=32, description="YYYY-MM (UTC)")] = None,
    group: Annotated[str | None, Query(max_length=63)] = None,
    format: Annotated[Literal["json", "csv"], Query()] = "json",
) -> UsageReport | Response:
    report = hub.usage_report.report(ctx, month, group)
    if format == "json":
        return report
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for line in report.lines:
        values = (getattr(line, c) for c in CSV_COLUMNS)
        writer.writerow(["" if v is None else v for v in values])
    filename = f"atrium-usage-{report.month}.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
