"""The dashboard in a real Chromium, against a real server: the first-day flow of a hub admin."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, Route, expect

from tests.conftest import LiveServer
from tests.e2e.conftest import api_client as _api
from tests.e2e.conftest import sign_in as _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_admin_first_day(page: Page, live_server: LiveServer) -> None:
    url = live_server.url
    api = _api(live_server)
    api.post("/users", json={"username": "e2e-stu", "password": "student-pass-1"})
    _sign_in(page, url, "admin", live_server.admin_password)

    # Create two groups from the admin page.
    page.goto(f"{url}/admin/groups")
    for name in ("e2e-class", "e2e-lab"):
        form = page.get_by_role("form", name="Create group")
        form.locator('input[name="name"]').fill(name)
        form.locator('input[name="description"]').fill(f"{name} description")
        form.get_by_role("button", name="Create group").click()
        expect(page.get_by_role("status")).to_contain_text(f"Created group {name}")
    assert api.get("/groups/e2e-class").json()["description"] == "e2e-class description"

    # Add the student (and the admin themself, to switch) to the class.
    page.goto(f"{url}/g/e2e-class")
    for username, role in (("e2e-stu", "member"), ("admin", "admin")):
        form = page.get_by_role("form", name="Add member")
        form.locator('input[name="username"]').fill(username)
        form.locator('select[name="role"]').select_option(role)
        form.get_by_role("button", name="Add member").click()
        # The row itself: "admin" is also an option of every row's role menu.
        members_table = page.get_by_role("table", name="Members")
        expect(members_table.locator(f'tr[data-key="{username}"]')).to_be_visible()
    members = {
        m["username"]: m["role"] for m in api.get("/groups/e2e-class/members").json()["items"]
    }
    assert members == {"e2e-stu": "member", "admin": "admin"}

    # Switch group through the top bar.
    api.post("/groups/e2e-lab/members", json={"username": "admin", "role": "admin"})
    page.reload()
    page.get_by_label("Group").select_option("e2e-lab")
    expect(page).to_have_url(f"{url}/g/e2e-lab")
    expect(page.get_by_test_id("group-name")).to_contain_text("e2e-lab")


def test_token_create_and_revoke(page: Page, live_server: LiveServer) -> None:
    url = live_server.url
    _sign_in(page, url, "admin", live_server.admin_password)
    page.goto(f"{url}/profile")
    page.fill('input[name="token-name"]', "e2e-ci-token")
    page.get_by_role("button", name="Create token").click()
    secret = page.get_by_test_id("new-token").inner_text().strip()
    assert secret.startswith("atr_")
    # The token shown works against the API...
    me = httpx.get(f"{url}/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 200 and me.json()["username"] == "admin"
    # ...until it is revoked in the page.
    row = (
        page.get_by_role("table", name="API tokens")
        .get_by_role("row")
        .filter(has_text="e2e-ci-token")
    )
    row.get_by_role("button", name="Revoke").click()
    row.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("table", name="API tokens")).not_to_contain_text("e2e-ci-token")
    after = httpx.get(f"{url}/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert after.status_code == 401


def test_member_sees_only_own_group(page: Page, live_server: LiveServer) -> None:
    url = live_server.url
    api = _api(live_server)
    api.post("/users", json={"username": "e2e-solo", "password": "solo-pass-12"})
    for group in ("e2e-mine", "e2e-theirs"):
        api.post("/groups", json={"name": group})
    api.post("/groups/e2e-mine/members", json={"username": "e2e-solo", "role": "member"})
    _sign_in(page, url, "e2e-solo", "solo-pass-12")
    expect(page).to_have_url(f"{url}/g/e2e-mine")
    options = page.get_by_label("Group").locator("option").all_inner_texts()
    assert any("e2e-mine" in o for o in options) and not any("e2e-theirs" in o for o in options)
    expect(page.get_by_role("link", name="Users")).to_have_count(0)
    page.goto(f"{url}/g/e2e-theirs")
    expect(page.get_by_role("alert")).to_be_visible()


def test_admin_pages_for_users_instance_types_and_audit(
    page: Page, live_server: LiveServer
) -> None:
    url = live_server.url
    api = _api(live_server)
    _sign_in(page, url, "admin", live_server.admin_password)

    page.goto(f"{url}/admin/users")
    form = page.get_by_role("form", name="Create user")
    form.locator('input[name="username"]').fill("e2e-pageuser")
    form.locator('input[name="password"]').fill("page-user-pass-1")
    form.get_by_role("button", name="Create user").click()
    page.get_by_label("Search users").fill("e2e-pageuser")  # the shared server has many users
    row = page.get_by_role("table", name="Users").locator('tr[data-key="e2e-pageuser"]')
    row.get_by_role("button", name="Disable").click()
    expect(row).to_contain_text("disabled")
    assert api.get("/users/e2e-pageuser").json()["enabled"] is False

    page.goto(f"{url}/admin/instance-types")
    form = page.get_by_role("form", name="Create instance type")
    form.locator('input[name="name"]').fill("e2e-big")
    form.locator('input[name="cpu"]').fill("4")
    form.locator('input[name="memory"]').fill("8Gi")
    form.get_by_role("button", name="Create instance type").click()
    table = page.get_by_role("table", name="Instance types")
    expect(table.locator('tr[data-key="e2e-big"]')).to_be_visible()
    created = api.get("/instance-types/e2e-big").json()
    assert (created["cpu"], created["memory"]) == (4, 8 * 2**30)

    page.goto(f"{url}/admin/audit")
    filters = page.get_by_role("form", name="Filter audit events")
    filters.locator('input[name="action"]').fill("instance_type.create")
    filters.get_by_role("button", name="Apply filters").click()
    events = page.get_by_role("table", name="Audit events")
    expect(events).to_contain_text("instance_type e2e-big")
    expect(events).not_to_contain_text("user.update")


def test_group_quota_set_in_the_admin_page_shows_as_usage_bars(
    page: Page, live_server: LiveServer
) -> None:
    url = live_server.url
    api = _api(live_server)
    api.post("/groups", json={"name": "e2e-quota"})
    _sign_in(page, url, "admin", live_server.admin_password)
    page.goto(f"{url}/admin/groups")
    row = page.get_by_role("table").locator('tr[data-key="e2e-quota"]')
    row.get_by_role("button", name="Quota").click()
    form = page.get_by_role("form", name="Quota for e2e-quota")
    form.locator('input[name="cpu"]').fill("4")
    form.locator('input[name="memory"]').fill("16Gi")
    form.get_by_role("button", name="Save quota").click()
    expect(page.get_by_role("status")).to_contain_text("Quota for e2e-quota saved")
    quota = api.get("/groups/e2e-quota/quota").json()
    assert (quota["cpu"], quota["memory"], quota["gpu"]) == (4, 16 * 2**30, None)
    page.goto(f"{url}/g/e2e-quota")
    cpu = page.get_by_role("meter", name="CPU (cores)")
    expect(cpu).to_have_attribute("aria-valuemax", "4")
    expect(cpu).to_have_attribute("aria-valuenow", "0")
    expect(page.locator('.quota[data-resource="gpu"] .bar-unlimited')).to_be_visible()


def test_the_api_docs_render_without_internet(page: Page, live_server: LiveServer) -> None:
    """Swagger UI comes from Atrium itself: a request to any other host fails here."""
    elsewhere: list[str] = []

    def only_atrium(route: Route) -> None:
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_atrium)
    page.goto(f"{live_server.url}/api/v1/docs")
    # The title appears once openapi.json arrives; the document is built on its first request.
    title = page.locator(".swagger-ui .info .title")
    expect(title).to_contain_text("Atrium", timeout=20_000)
    expect(page.locator(".opblock").first).to_be_visible(timeout=20_000)
    assert elsewhere == []


def test_the_groups_page_pages_past_200(page: Page, live_server: LiveServer) -> None:
    api = _api(live_server)
    for i in range(201):  # named to sort after every other test's groups
        assert api.post("/groups", json={"name": f"zzzz-page-{i:03d}"}).status_code == 201
    _sign_in(page, live_server.url, "admin", live_server.admin_password)
    page.goto(f"{live_server.url}/admin/groups")
    table = page.get_by_role("table", name="Groups")
    expect(table.locator("tr[data-key]")).to_have_count(200)
    last = table.locator('tr[data-key="zzzz-page-200"]')
    expect(last).to_have_count(0)
    page.get_by_role("button", name="Load more").click()
    expect(last).to_be_visible()
