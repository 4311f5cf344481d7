"""The model registry in the dashboard: models, versions, aliases moved from the UI (and
refused inline), alias history, a version's files, signature, metrics and lineage chain."""

from __future__ import annotations

import re

import pytest
from blake3 import blake3
from playwright.sync_api import Page, expect

from tests.conftest import LiveServer
from tests.e2e.conftest import api_client as _api
from tests.e2e.conftest import sign_in as _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

GROUP = "models-ui"
MLMODEL = """flavors:
  python_function:
    loader_module: mlflow.sklearn
  sklearn:
    pickled_model: model.pkl
signature:
  inputs: '[{"name": "age", "type": "double"}, {"name": "beds", "type": "long"}]'
  outputs: '[{"type": "double"}]'
"""


@pytest.fixture(scope="module")
def seeded(live_server: LiveServer) -> dict[str, str]:
    """Model "demand" with v1 and v2, both from run "train" (which read scans@v1);
    production -> v1."""
    client = _api(live_server)
    client.post("/groups", json={"name": GROUP})
    client.post(f"/groups/{GROUP}/members", json={"username": "admin", "role": "admin"})
    client.post(f"/groups/{GROUP}/datasets", json={"name": "scans"})
    data = b"scan\n"
    digest = blake3(data).hexdigest()
    client.put(f"/groups/{GROUP}/datasets/scans/blobs/{digest}", content=data)
    files = [{"path": "a.txt", "size": len(data), "hash": digest}]
    client.post(f"/groups/{GROUP}/datasets/scans/versions", json={"files": files})
    body = {"experiment": "beds", "name": "train", "inputs": [f"{GROUP}/scans@v1"]}
    run = client.post(f"/groups/{GROUP}/runs", json=body).json()["id"]
    batch = {"metrics": [{"key": "rmse", "steps": [0], "values": [1.25]}]}
    client.post(f"/groups/{GROUP}/runs/{run}/log-batch", json=batch)
    for path, content in (("model/MLmodel", MLMODEL.encode()), ("model/model.pkl", b"pickle")):
        r = client.put(f"/groups/{GROUP}/runs/{run}/artifacts/file", params={"path": path},
                       content=content)  # fmt: skip
        assert r.status_code == 201, r.text
    client.patch(f"/groups/{GROUP}/runs/{run}", json={"status": "finished"})
    r = client.post(f"/groups/{GROUP}/models", json={"name": "demand", "description": "Beds"})
    assert r.status_code == 201, r.text
    for _ in range(2):
        source = {"run_id": run, "path": "model"}
        r = client.post(f"/groups/{GROUP}/models/demand/versions", json={"source": source})
        assert r.status_code == 201, r.text
    r = client.put(f"/groups/{GROUP}/models/demand/aliases/production", json={"version": 1})
    assert r.status_code == 200, r.text
    return {"run": run}


def test_models_aliases_and_lineage(
    page: Page, live_server: LiveServer, seeded: dict[str, str]
) -> None:
    url = live_server.url
    _sign_in(page, url, "admin", live_server.admin_password)
    page.goto(f"{url}/g/{GROUP}")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Models").click()
    row = page.get_by_role("table", name="Models").locator('tr[data-key="demand"]')
    expect(row.locator('[data-alias="production"]')).to_have_text("@production → v1")
    row.get_by_role("link", name="demand").click()
    expect(page).to_have_url(f"{url}/g/{GROUP}/models/demand")

    versions = page.get_by_role("table", name="Versions")
    expect(versions.locator("tbody tr")).to_have_count(2)
    v1 = versions.locator('tr[data-key="1"]')
    expect(v1).to_contain_text("sklearn")
    expect(v1.locator('[data-alias="production"]')).to_be_visible()
    expect(v1.get_by_role("link", name=seeded["run"][:8])).to_be_visible()

    # Move production to v2 from the UI; the history records the move.
    form = page.get_by_role("form", name="Set alias")
    form.get_by_label("Alias").fill("production")
    form.get_by_label("Version").select_option("2")
    form.get_by_role("button", name="Move alias").click()
    aliases = page.get_by_role("list", name="Aliases")
    expect(aliases.locator('li[data-alias="production"]')).to_contain_text("v2")
    history = page.get_by_role("table", name="Alias history")
    expect(history.locator("tbody tr").first).to_contain_text("v1 → v2")
    expect(versions.locator('tr[data-key="2"] [data-alias="production"]')).to_be_visible()

    # A name the server refuses: its message, inline, and nothing changed.
    form.get_by_label("Alias").fill("no spaces")
    form.get_by_role("button", name="Set alias").click()
    expect(form.get_by_role("alert")).to_contain_text("alias")
    expect(aliases.locator("li")).to_have_count(1)

    # The version page: lineage as a chain of linked cards, files, signature, metrics.
    versions.get_by_role("link", name="v1", exact=True).click()
    expect(page).to_have_url(f"{url}/g/{GROUP}/models/demand/versions/1")
    lineage = page.get_by_role("group", name="Lineage")
    expect(lineage.locator('[data-kind="Run"]').get_by_role("link", name="train")).to_be_visible()
    expect(lineage.locator('[data-kind="Job"]')).to_contain_text("not run by a job")
    dataset = lineage.get_by_role("link", name=f"{GROUP}/scans@v1")
    expect(dataset).to_have_attribute("href", f"/g/{GROUP}/datasets/{GROUP}/scans")
    expect(page.get_by_role("table", name="Files")).to_contain_text("model.pkl")
    expect(page.get_by_role("table", name="Signature inputs")).to_contain_text("beds")
    expect(page.get_by_role("table", name="Metrics snapshot")).to_contain_text("1.25")

    # The run's lineage names the versions registered from it.
    lineage.get_by_role("link", name="train").click()
    expect(page).to_have_url(re.compile(rf"/g/{GROUP}/runs/{seeded['run']}$"))
    registered = page.get_by_role("list", name="Registered models")
    expect(registered.get_by_role("link")).to_have_count(2)
    expect(registered.get_by_role("link", name="demand v1")).to_be_visible()
