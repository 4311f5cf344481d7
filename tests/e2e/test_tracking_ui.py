"""Experiment tracking in the dashboard: experiments, the runs table (columns, filter, sort),
a run's page (a 200,000-point metric chart drawn from a downsampled history, artifacts,
lineage) and the comparison of runs."""

from __future__ import annotations

import os
import re
import struct
import zlib

import httpx
import pytest
from blake3 import blake3
from playwright.sync_api import Page, Request, expect

from tests.conftest import LiveServer
from tests.e2e.conftest import api_client as _api
from tests.e2e.conftest import sign_in as _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

GROUP = "track-ui"
# ATRIUM_E2E_METRIC_POINTS=1000000 checks the million-point case (slower to seed).
POINTS = int(os.environ.get("ATRIUM_E2E_METRIC_POINTS", "200000"))
BATCH = 100_000
# Drawing a chart from the downsampled history once it has arrived: "well under a second".
DRAW_BUDGET_MS = 300
README = "trained on scans v1\nloss went down\n"
CSV = "epoch,acc\n0,0.5\n1,0.95\n"
SWEEP = 52  # runs: more than a page of the runs table (50)


def _png(width: int = 4, height: int = 3) -> bytes:
    """A small red RGB PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _run(client: httpx.Client, **body: object) -> str:
    r = client.post(f"/groups/{GROUP}/runs", json=body)
    assert r.status_code == 201, r.text
    run_id: str = r.json()["id"]
    return run_id


def _log(client: httpx.Client, run_id: str, **body: object) -> None:
    r = client.post(f"/groups/{GROUP}/runs/{run_id}/log-batch", json=body, timeout=60)
    assert r.status_code == 200, r.text


@pytest.fixture(scope="module")
def runs(live_server: LiveServer) -> dict[str, str]:
    """Experiment resnet: runs "best" (acc 0.95, a 200,000-point loss, artifacts, a dataset
    input, a child) and "second" (acc 0.85); experiment other: one run; experiment sweep: more
    runs than a page."""
    client = _api(live_server)
    client.post("/groups", json={"name": GROUP})
    client.post(f"/groups/{GROUP}/members", json={"username": "admin", "role": "admin"})
    client.post(f"/groups/{GROUP}/datasets", json={"name": "scans"})
    data = b"scan\n"
    digest = blake3(data).hexdigest()
    client.put(f"/groups/{GROUP}/datasets/scans/blobs/{digest}", content=data)
    files = [{"path": "a.txt", "size": len(data), "hash": digest}]
    client.post(f"/groups/{GROUP}/datasets/scans/versions", json={"files": files})

    best = _run(client, experiment="resnet", name="best", params={"lr": "0.1", "opt": "adam"},
                inputs=[f"{GROUP}/scans@v1"])  # fmt: skip
    for start in range(0, POINTS, BATCH):
        steps = list(range(start, start + BATCH))
        values = [1.0 / (1 + s / 1000) + (0.05 if s % 997 == 0 else 0.0) for s in steps]
        _log(client, best, metrics=[{"key": "loss", "steps": steps, "values": values}])
    _log(client, best, metrics=[{"key": "acc", "steps": [0, 1, 2], "values": [0.5, 0.8, 0.95]}])
    for path, content in (("notes/readme.txt", README.encode()), ("plots/curve.png", _png()),
                          ("metrics.csv", CSV.encode())):  # fmt: skip
        r = client.put(f"/groups/{GROUP}/runs/{best}/artifacts/file", params={"path": path},
                       content=content)  # fmt: skip
        assert r.status_code == 201, r.text
    second = _run(client, experiment="resnet", name="second", params={"lr": "0.01", "opt": "adam"})
    three = [0, 1, 2]
    metrics = [{"key": "acc", "steps": three, "values": [0.4, 0.7, 0.85]},
               {"key": "loss", "steps": three, "values": [2.0, 1.0, 0.5]}]  # fmt: skip
    _log(client, second, metrics=metrics)
    child = _run(client, experiment="resnet", name="trial-1", parent_run_id=best)
    other = _run(client, experiment="other", name="elsewhere")
    for trial in range(SWEEP):
        _run(client, experiment="sweep", name=f"sweep-{trial}", params={"trial": str(trial)})
    for run_id in (best, second, child, other):
        client.patch(f"/groups/{GROUP}/runs/{run_id}", json={"status": "finished"})
    return {"best": best, "second": second, "child": child}


def _rows(page: Page) -> list[str]:
    table = page.get_by_role("table", name="Runs")
    expect(table.locator("tbody tr").first).not_to_contain_text("Loading")
    return [row.get_attribute("data-key") or "" for row in table.locator("tbody tr").all()]


def test_experiments_runs_table_columns_filter_and_sort(
    page: Page, live_server: LiveServer, runs: dict[str, str]
) -> None:
    url = live_server.url
    _sign_in(page, url, "admin", live_server.admin_password)
    page.goto(f"{url}/g/{GROUP}")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Experiments").click()
    experiments = page.get_by_role("table", name="Experiments")
    resnet = experiments.locator("tr", has=page.get_by_role("link", name="resnet", exact=True))
    expect(resnet.locator("td").nth(2)).to_have_text("3")
    resnet.get_by_role("link", name="resnet").click()
    expect(page).to_have_url(f"{url}/g/{GROUP}/runs?experiment=resnet")
    table = page.get_by_role("table", name="Runs")
    expect(table.locator("tbody tr")).to_have_count(3)

    # A metric column, picked from the keys the runs have, kept in the address.
    page.locator(".column-picker summary").click()
    page.get_by_role("group", name="Columns").get_by_label("metrics.acc").check()
    expect(page).to_have_url(re.compile(r"cols=metrics.acc"))
    acc = table.locator(f'tr[data-key="{runs["best"]}"] td').last
    expect(acc).to_have_text("0.95")
    page.locator(".column-picker summary").click()

    # A filter that does not parse: the server's message, naming the position, under the box.
    page.get_by_label("Filter", exact=True).fill("metrics.acc >")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_test_id("filter-error")).to_contain_text("position")
    page.get_by_label("Filter", exact=True).fill("metrics.acc > 0.9")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_test_id("filter-error")).to_have_count(0)
    expect(table.locator("tbody tr")).to_have_count(1)
    assert _rows(page) == [runs["best"]]
    page.get_by_role("button", name="Clear").click()
    expect(table.locator("tbody tr")).to_have_count(3)

    # Sorting on the server: by acc, descending then ascending (runs without acc last).
    header = table.get_by_role("button", name="metrics.acc")
    header.click()
    expect(page).to_have_url(re.compile(r"order=metrics.acc\+DESC"))
    expect(table.locator("th[aria-sort=descending]")).to_have_count(1)
    expect(table.locator("tbody tr").first).to_have_attribute("data-key", runs["best"])
    header.click()
    expect(table.locator("th[aria-sort=ascending]")).to_have_count(1)
    expect(table.locator("tbody tr").first).to_have_attribute("data-key", runs["second"])
    assert _rows(page)[:2] == [runs["second"], runs["best"]]

    # A page at a time, following the server's cursor.
    page.goto(f"{url}/g/{GROUP}/runs?experiment=sweep")
    expect(table.locator("tbody tr")).to_have_count(50)
    page.get_by_role("button", name="Load more").click()
    expect(table.locator("tbody tr")).to_have_count(SWEEP)
    expect(page.get_by_role("button", name="Load more")).to_have_count(0)
    names = table.locator("tbody tr td:nth-child(2)").all_inner_texts()
    assert sorted(names) == sorted(f"sweep-{trial}" for trial in range(SWEEP))


def test_run_page_chart_artifacts_lineage_and_compare(
    page: Page, live_server: LiveServer, runs: dict[str, str]
) -> None:
    url = live_server.url
    histories: list[str] = []

    def seen(request: Request) -> None:
        if "/metrics/history" in request.url:
            histories.append(request.url)

    page.on("request", seen)
    _sign_in(page, url, "admin", live_server.admin_password)
    page.goto(f"{url}/g/{GROUP}/runs?experiment=resnet")
    page.get_by_role("table", name="Runs").get_by_role("link", name="best").click()
    expect(page).to_have_url(f"{url}/g/{GROUP}/runs/{runs['best']}")
    overview = page.get_by_test_id("run-overview")
    # The Status row comes first; the child runs listed further down carry their own badges.
    expect(overview.locator("[data-status]").first).to_have_attribute("data-status", "finished")
    expect(overview.get_by_role("link", name="trial-1")).to_be_visible()
    expect(page.get_by_role("table", name="Params")).to_contain_text("adam")
    latest = page.get_by_role("table", name="Latest metrics").locator('tr[data-key="loss"]')
    expect(latest.locator("td").last).to_have_text(f"{POINTS:,}")

    # The 200,000-point loss: a downsampled history sized to the chart, drawn on a canvas.
    chart = page.locator('figure[data-metric="loss"]')
    expect(chart).to_have_attribute("data-ready", "true")
    expect(chart.locator("canvas")).to_have_count(1)
    max_points = int(chart.get_attribute("data-max-points") or 0)
    width = chart.evaluate("el => el.clientWidth")
    assert 10 <= max_points <= 2 * width + 200
    loss_requests = [u for u in histories if "key=loss" in u]
    assert loss_requests and all(f"max_points={max_points}" in u for u in loss_requests)
    drawn = int(chart.get_attribute("data-points") or 0)
    assert 0 < drawn <= max_points
    expect(chart.get_by_test_id("metric-points")).to_have_text(
        f"{POINTS:,} points, {drawn:,} drawn"
    )
    draw_ms = float(chart.get_attribute("data-draw-ms") or "inf")
    fetch_ms = float(chart.get_attribute("data-fetch-ms") or "inf")
    print(f"\n{POINTS:,}-point metric: history fetched in {fetch_ms:.0f} ms "
          f"({drawn} points), drawn {draw_ms:.1f} ms after it arrived")  # fmt: skip
    assert draw_ms < DRAW_BUDGET_MS

    # Hover shows the values under the cursor (raw and smoothed); log scale redraws.
    chart.locator(".u-over").hover()
    expect(chart.get_by_role("tooltip")).to_contain_text("step")
    page.get_by_label("Smoothing").fill("0.9")
    chart.locator(".u-over").hover()
    expect(chart.get_by_role("tooltip")).to_contain_text("raw")
    page.get_by_label("Smoothing").fill("0")
    page.get_by_label("Log scale").check()
    expect(chart).to_have_attribute("data-scale", "log")
    expect(chart).to_have_attribute("data-ready", "true")
    page.get_by_role("group", name="X axis").get_by_role("button", name="Wall time").click()
    expect(chart).to_have_attribute("data-x", "time")
    page.get_by_label("Log scale").uncheck()
    page.get_by_role("group", name="X axis").get_by_role("button", name="Step").click()

    # Artifacts: text, image and CSV previews; the download link.
    tree = page.get_by_role("list", name="Artifacts")
    tree.get_by_role("button", name="readme.txt").click()
    expect(page.get_by_test_id("artifact-text")).to_have_text(README)
    href = (
        page.get_by_role("region", name="Preview of notes/readme.txt")
        .get_by_role("link", name="Download")
        .get_attribute("href")
    )
    assert page.request.get(f"{url}{href}").text() == README
    tree.get_by_role("button", name="curve.png").click()
    image = page.get_by_role("img", name="plots/curve.png")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.naturalWidth") == 4
    tree.get_by_role("button", name="metrics.csv").click()
    expect(page.get_by_role("table", name="Table preview").locator("tbody tr")).to_have_count(2)

    # Lineage: the dataset version it read links to the dataset.
    lineage = page.get_by_test_id("run-lineage")
    lineage.get_by_role("link", name=f"{GROUP}/scans@v1").click()
    expect(page).to_have_url(f"{url}/g/{GROUP}/datasets/{GROUP}/scans")

    # Compare two runs picked in the table: differences marked, charts overlaid.
    page.goto(f"{url}/g/{GROUP}/runs?experiment=resnet")
    page.get_by_label("Select best").check()
    page.get_by_label("Select second").check()
    page.get_by_role("button", name="Compare 2 runs").click()
    expect(page).to_have_url(re.compile(rf"/g/{GROUP}/runs/compare\?ids="))
    params = page.get_by_role("table", name="Params")
    expect(params.locator('tr[data-key="lr"]')).to_have_attribute("data-differs", "true")
    expect(params.locator('tr[data-key="opt"]')).to_have_attribute("data-differs", "false")
    acc = page.locator('figure[data-metric="acc"]')
    expect(acc).to_have_attribute("data-ready", "true")
    expect(acc.get_by_role("list", name="Runs in acc").locator("li")).to_have_count(2)
    assert acc.get_attribute("data-points") == "6"
    page.get_by_label("Only differences").check()
    expect(params.locator("tbody tr")).to_have_count(1)
