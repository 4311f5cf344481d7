"""Secrets and the usage report in the dashboard, against a real server."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from playwright.sync_api import Page, expect

from atrium.server.settings import Settings
from atrium.server.store.db import Database
from tests.api.test_usage_report import held
from tests.conftest import LiveServer
from tests.e2e.conftest import api_client as _api
from tests.e2e.conftest import sign_in as _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _group(api: httpx.Client, name: str, members: dict[str, str]) -> None:
    api.post("/groups", json={"name": name})
    for username, role in members.items():
        api.post("/users", json={"username": username, "password": f"{username}-pass-1"})
        api.post(f"/groups/{name}/members", json={"username": username, "role": role})


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login$"))


def test_secrets_are_written_but_never_shown(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    url, api = live_server.url, _api(live_server)
    _group(api, "sec-lab", {"admin": "admin", "sec-member": "member"})
    _sign_in(page, url, "admin", live_server.admin_password)
    page.goto(f"{url}/g/sec-lab/secrets")
    form = page.get_by_role("form", name="Create secret")
    value_input = form.locator('input[name="secret-value"]')
    assert value_input.get_attribute("type") == "password"
    form.locator('input[name="secret-name"]').fill("DB_PASSWORD")
    value_input.fill("s3cret-value-1")
    form.get_by_role("button", name="Create secret").click()
    table = page.get_by_role("table", name="Secrets")
    expect(table.locator('tr[data-key="DB_PASSWORD"]')).to_contain_text("by admin")
    expect(value_input).to_have_value("")
    created = api.get("/groups/sec-lab/secrets/DB_PASSWORD").json()

    # The API's own refusals are shown as they are.
    form.locator('input[name="secret-name"]').fill("DB_PASSWORD")
    value_input.fill("again")
    form.get_by_role("button", name="Create secret").click()
    expect(page.get_by_role("alert")).to_contain_text("already exists")
    form.locator('input[name="secret-name"]').fill("ATRIUM_TOKEN")
    form.get_by_role("button", name="Create secret").click()
    expect(page.get_by_role("alert")).to_contain_text("ATRIUM_")

    # A new value, read from a file (line breaks kept), replaces the old one.
    pem = tmp_path / "key.pem"
    pem.write_text("-----BEGIN KEY-----\nabc\n-----END KEY-----\n")
    table.locator('tr[data-key="DB_PASSWORD"]').get_by_role("button", name="Set value").click()
    update = page.get_by_role("form", name="New value for DB_PASSWORD")
    update.get_by_test_id("secret-file").set_input_files(str(pem))
    expect(update).to_contain_text("key.pem")
    update.get_by_role("button", name="Save value").click()
    expect(page.get_by_role("status")).to_contain_text("Saved a new value for DB_PASSWORD")
    changed = api.get("/groups/sec-lab/secrets/DB_PASSWORD").json()
    assert changed["updated_at"] > created["updated_at"]
    html = page.content()
    assert "s3cret-value-1" not in html and "BEGIN KEY" not in html

    # Members see the names only, and no way to change them.
    api.post("/groups/sec-lab/secrets", json={"name": "HF_TOKEN", "value": "hf_x"})
    _sign_out(page)
    _sign_in(page, url, "sec-member", "sec-member-pass-1")
    page.goto(f"{url}/g/sec-lab/secrets")
    expect(table.locator('tr[data-key="HF_TOKEN"]')).to_be_visible()
    expect(page.get_by_text("Only group admins can add or change secrets.")).to_be_visible()
    expect(page.get_by_role("form", name="Create secret")).to_have_count(0)
    expect(page.get_by_role("button", name="Delete")).to_have_count(0)

    # An admin deletes one.
    _sign_out(page)
    _sign_in(page, url, "admin", live_server.admin_password)
    page.goto(f"{url}/g/sec-lab/secrets")
    row = table.locator('tr[data-key="HF_TOKEN"]')
    row.get_by_role("button", name="Delete").click()
    row.get_by_role("button", name="Confirm").click()
    expect(row).to_have_count(0)
    names = [s["name"] for s in api.get("/groups/sec-lab/secrets").json()["items"]]
    assert names == ["DB_PASSWORD"]


def test_usage_report_chart_table_and_csv(page: Page, live_server: LiveServer) -> None:
    url, api = live_server.url, _api(live_server)
    _group(api, "use-a", {"admin": "admin", "use-alice": "member", "use-bob": "member"})
    _group(api, "use-b", {"admin": "admin"})
    hub = SimpleNamespace(db=Database(Settings(home=live_server.home).resolved_database_url))
    held(hub, "use-a", "use-alice", hours=12.5, gpu=1)  # 25 core-hours, 12.5 GPU-hours
    held(hub, "use-a", "use-bob", hours=3)  # 6 core-hours
    held(hub, "use-b", "admin", hours=7, cpu=4)  # 28 core-hours
    _sign_in(page, url, "admin", live_server.admin_password)
    page.goto(f"{url}/g/use-a/usage?month=2026-11")

    rows = page.get_by_role("table", name="Usage")
    expect(rows.locator('tr[data-key="use-a/use-alice"]')).to_contain_text("25")
    expect(rows.locator('tr[data-key="use-a/use-bob"]')).to_contain_text("6")
    expect(rows.locator('tr[data-key="use-b/admin"]')).to_have_count(0)
    per_user = page.get_by_role("figure", name="Core-hours per user")
    expect(per_user.locator(".chart-value")).to_have_text(["25", "6"])
    expect(per_user).to_contain_text("use-alice")

    page.get_by_role("button", name="GPU-hours").click()
    gpu = page.get_by_role("figure", name="GPU-hours per user")
    expect(gpu.locator(".chart-value")).to_have_text(["12.5"])
    expect(gpu).not_to_contain_text("use-bob")

    # Every group the admin sees: a per-group chart as well.
    page.get_by_label("Scope").select_option("all")
    page.get_by_role("button", name="Core-hours").click()
    per_group = page.get_by_role("figure", name="Core-hours per group")
    expect(per_group).to_contain_text("use-a")
    expect(per_group).to_contain_text("use-b")
    expect(rows.locator('tr[data-key="use-b/admin"]')).to_contain_text("28")

    # The CSV link downloads the same report.
    page.get_by_label("Scope").select_option("group")
    link = page.get_by_role("link", name="Download CSV")
    expect(link).to_have_attribute("href", re.compile(r"group=use-a"))  # re-rendered for the scope
    href = link.get_attribute("href")
    assert href is not None
    answer = page.request.get(f"{url}{href}")
    assert answer.ok
    table = list(csv.DictReader(io.StringIO(answer.text())))
    assert {(r["user"], float(r["cpu_core_hours"])) for r in table} == {
        ("use-alice", 25.0),
        ("use-bob", 6.0),
    }

    # Another month: nothing held, and the page says so.
    page.get_by_role("button", name="Previous month").click()
    expect(page).to_have_url(f"{url}/g/use-a/usage?month=2026-10&scope=group")
    expect(rows).to_contain_text("No job held resources in 2026-10.")
    expect(page.get_by_text("No core-hours were held in 2026-10.")).to_be_visible()
    page.goto(f"{url}/g/use-a/usage?month=2026-13")
    expect(page.get_by_role("alert")).to_contain_text("month")
