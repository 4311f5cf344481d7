"""Datasets in the dashboard: create, upload two versions, browse, diff, tag, share."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.api.datasets_helpers import PACK, entries, pack
from tests.api.datasets_helpers import key as blob_key
from tests.conftest import LiveServer
from tests.e2e.conftest import api_client as _api
from tests.e2e.conftest import sign_in as _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _upload(page: Page, files: list[Path], message: str) -> None:
    page.get_by_test_id("upload-input").set_input_files([str(f) for f in files])
    page.fill('input[name="version-message"]', message)
    page.get_by_role("button", name="Upload new version").click()
    expect(page.get_by_test_id("upload-result")).to_be_visible()


def test_dataset_lifecycle_in_the_browser(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    url = live_server.url
    api = _api(live_server)
    for group in ("ui-lab", "ui-partner"):
        api.post("/groups", json={"name": group})
        api.post(f"/groups/{group}/members", json={"username": "admin", "role": "admin"})
    _sign_in(page, url, "admin", live_server.admin_password)
    page.goto(f"{url}/g/ui-lab/datasets")
    form = page.get_by_role("form", name="Create dataset")
    form.locator('input[name="name"]').fill("beds")
    form.locator('input[name="description"]').fill("bed demand")
    form.get_by_role("button", name="Create dataset").click()
    expect(page).to_have_url(f"{url}/g/ui-lab/datasets/ui-lab/beds")

    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("day,beds\n1,10\n")
    b.write_text("day,beds\n1,12\n")
    _upload(page, [a], "first week")
    a.write_text("day,beds\n1,10\n2,11\n")
    _upload(page, [a, b], "second week")
    timeline = page.get_by_test_id("timeline")
    expect(timeline.locator('li[data-version="v2"]')).to_contain_text("second week")
    versions = api.get("/groups/ui-lab/datasets/beds/versions").json()["items"]
    assert [v["message"] for v in versions] == ["second week", "first week"]
    files = api.get("/groups/ui-lab/datasets/beds/versions/v2/files").json()["items"]
    assert {f["path"]: f["size"] for f in files} == {"a.csv": a.stat().st_size, "b.csv": 14}

    expect(page.get_by_test_id("file-tree").locator('li[data-path="b.csv"]')).to_be_visible()
    page.select_option('select[name="diff-from"]', "v1")
    page.select_option('select[name="diff-to"]', "v2")
    diff = page.get_by_test_id("diff-view")
    expect(diff.locator('tr[data-change="added"][data-path="b.csv"]')).to_be_visible()
    expect(diff.locator('tr[data-change="modified"][data-path="a.csv"]')).to_be_visible()

    tag_form = page.get_by_role("form", name="Set tag")
    tag_form.locator('input[name="tag"]').fill("golden")
    tag_form.locator('select[name="tag-version"]').select_option("v1")
    tag_form.get_by_role("button", name="Set tag").click()
    expect(page.get_by_role("table", name="Tags").locator('tr[data-key="golden"]')).to_be_visible()
    assert api.get("/groups/ui-lab/datasets/beds/versions/golden").json()["number"] == 1

    grant = page.get_by_role("form", name="Add grant")
    grant.locator('input[name="grant-group"]').fill("ui-partner")
    grant.locator('select[name="grant-access"]').select_option("read")
    grant.get_by_role("button", name="Grant access").click()
    expect(
        page.get_by_role("table", name="Grants").locator('tr[data-key="ui-partner"]')
    ).to_be_visible()
    shared = api.get("/groups/ui-partner/datasets").json()["items"]
    assert [(d["name"], d["shared_from"], d["access"]) for d in shared] == [
        ("beds", "ui-lab", "read")
    ]
    blob = httpx.get(
        f"{url}/api/v1/groups/ui-lab/datasets/beds/blobs/{files[1]['hash']}", headers=api.headers
    )
    assert blob.content == b"day,beds\n1,12\n"
    _download_one_file(page)
    _drop_a_file(page, api)
    _shared_dataset_in_the_grantees_list(page, url)
    _untag_and_revoke(page, url, api)


def _download_one_file(page: Page) -> None:
    with page.expect_download() as saved:
        page.get_by_test_id("file-tree").get_by_role("button", name="Download b.csv").click()
    assert saved.value.suggested_filename == "b.csv"
    assert Path(saved.value.path()).read_bytes() == b"day,beds\n1,12\n"


def _drop_a_file(page: Page, api: httpx.Client) -> None:
    """A drop event carrying a file stages it like the file picker does."""
    dropped = page.evaluate_handle(
        """() => {
          const data = new DataTransfer();
          data.items.add(new File(['day,beds\\n1,13\\n'], 'c.csv', { type: 'text/csv' }));
          return data;
        }"""
    )
    page.get_by_test_id("dropzone").dispatch_event("drop", {"dataTransfer": dropped})
    expect(page.get_by_test_id("staged-files")).to_contain_text("c.csv")
    page.fill('input[name="version-message"]', "dropped")
    page.get_by_role("button", name="Upload new version").click()
    expect(page.get_by_test_id("upload-result")).to_be_visible()
    v3 = api.get("/groups/ui-lab/datasets/beds/versions/v3/files").json()["items"]
    assert "c.csv" in {f["path"] for f in v3}


def _shared_dataset_in_the_grantees_list(page: Page, url: str) -> None:
    page.goto(f"{url}/g/ui-partner/datasets")
    row = page.get_by_role("table", name="Datasets").locator('tr[data-key="ui-lab/beds"]')
    expect(row.get_by_test_id("shared-badge")).to_have_text("shared from ui-lab (read-only)")
    page.goto(f"{url}/g/ui-lab/datasets")
    own = page.get_by_role("table", name="Datasets").locator('tr[data-key="ui-lab/beds"]')
    expect(own).to_contain_text("own")


def _untag_and_revoke(page: Page, url: str, api: httpx.Client) -> None:
    page.goto(f"{url}/g/ui-lab/datasets/ui-lab/beds")
    for table, key, button in (("Tags", "golden", "Delete"), ("Grants", "ui-partner", "Revoke")):
        row = page.get_by_role("table", name=table).locator(f'tr[data-key="{key}"]')
        row.get_by_role("button", name=button).click()
        row.get_by_role("button", name="Confirm").click()
        expect(row).to_have_count(0)
    tags = api.get("/groups/ui-lab/datasets/beds/tags").json()["items"]
    assert [t["tag"] for t in tags] == ["latest"]
    assert api.get("/groups/ui-partner/datasets").json()["items"] == []


def _commit(api: httpx.Client, base: str, files: dict[str, bytes]) -> None:
    blobs = {blob_key(d): d for d in files.values()}
    r = api.post(f"{base}/blobs/pack", content=pack(blobs), headers={"Content-Type": PACK})
    assert r.status_code == 200, r.text
    assert api.post(f"{base}/versions", json={"files": entries(files)}).status_code == 201


def test_long_tag_lists_and_diffs_load_more(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    api = _api(live_server)
    api.post("/groups", json={"name": "ui-many"})
    api.post("/groups/ui-many/members", json={"username": "admin", "role": "admin"})
    base = "/groups/ui-many/datasets/wide"
    assert api.post("/groups/ui-many/datasets", json={"name": "wide"}).status_code == 201
    paths = [f"p{i:04d}.txt" for i in range(620)]
    _commit(api, base, {p: b"old " + p.encode() for p in paths})
    _commit(api, base, {p: b"new " + p.encode() for p in paths})
    for i in range(105):
        assert api.put(f"{base}/tags/t{i:03d}", json={"version": "v1"}).status_code == 200
    _sign_in(page, live_server.url, "admin", live_server.admin_password)
    page.goto(f"{live_server.url}/g/ui-many/datasets/ui-many/wide")

    tags = page.get_by_role("table", name="Tags").locator("tbody tr")
    expect(tags).to_have_count(100)  # latest and t000..t098: one page
    tag_card = page.locator("div.stack").filter(has=page.get_by_role("table", name="Tags"))
    tag_card.last.get_by_role("button", name="Load more").click()
    expect(tags).to_have_count(106)
    expect(tags.last).to_contain_text("t104")

    diff = page.get_by_test_id("diff-view")
    expect(diff.get_by_test_id("diff-summary")).to_contain_text("~620 modified")
    rows = diff.locator("tbody tr")
    expect(rows).to_have_count(500)
    expect(diff.get_by_test_id("diff-shown")).to_have_text("Showing 500 of 620 changes.")
    diff.get_by_role("button", name="Load more").click()
    expect(rows).to_have_count(620)
    expect(rows.last).to_have_attribute("data-path", "p0619.txt")
    expect(diff.get_by_role("button", name="Load more")).to_have_count(0)
