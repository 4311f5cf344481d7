"""Schedules in the dashboard: create, next runs, trigger, history, enable/disable, edit, problems.

Triggered jobs really run on the live server's local executor, and the schedule ticker really
ticks (a once-a-minute schedule whose instance type is deleted gets flagged).
"""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.conftest import LiveServer
from tests.e2e.conftest import api_client as _api
from tests.e2e.conftest import sign_in as _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

GROUP = "sched-ui"
CPU = "sched-ui-cpu"
GONE = "sched-ui-gone"
TICK = 90_000  # the ticker looks every 10 s for a schedule that is due every minute


def _setup(api: httpx.Client) -> str:
    """The group, its instance type, and a once-a-minute schedule whose type is then deleted."""
    api.post("/groups", json={"name": GROUP})
    api.post(f"/groups/{GROUP}/members", json={"username": "admin", "role": "admin"})
    for name in (CPU, GONE):
        api.post(
            "/instance-types",
            json={"name": name, "cpu": 1, "memory": "1Gi", "gpu": 0, "is_global": False,
                  "groups": [GROUP]},
        )  # fmt: skip
    job = {"command": "echo never", "instance_type": GONE}
    body = {"name": "doomed", "cron": "* * * * *", "job": job}
    r = api.post(f"/groups/{GROUP}/schedules", json=body)
    assert r.status_code == 201, r.text
    assert api.delete(f"/instance-types/{GONE}").status_code == 204
    return "doomed"


def test_schedule_lifecycle_in_the_browser(page: Page, live_server: LiveServer) -> None:
    url, api = live_server.url, _api(live_server)
    doomed = _setup(api)
    base = f"/groups/{GROUP}/schedules"
    _sign_in(page, url, "admin", live_server.admin_password)
    page.goto(f"{url}/g/{GROUP}/schedules")
    page.get_by_role("link", name="New schedule").click()
    form = page.get_by_role("form", name="Create schedule")
    form.locator('input[name="schedule-name"]').fill("nightly")
    form.locator('select[name="timing"]').select_option("cron")
    form.locator('input[name="timezone"]').fill("Europe/Paris")
    form.locator('select[name="instance-type"]').select_option(CPU)
    form.locator('textarea[name="command"]').fill("echo from-schedule")

    # A bad cron is refused with the server's words, and nothing is created.
    form.locator('input[name="cron"]').fill("61 2 * * *")
    form.get_by_role("button", name="Create schedule").click()
    expect(page.get_by_role("alert")).to_contain_text("invalid cron '61 2 * * *': bad minute")
    assert api.get(f"{base}/nightly").status_code == 404

    form.locator('input[name="cron"]').fill("0 2 * * *")
    form.get_by_role("button", name="Create schedule").click()
    expect(page).to_have_url(f"{url}/g/{GROUP}/schedules/nightly")
    expect(page.locator('h1 [data-status="active"]')).to_be_visible()

    # The next runs are the server's, shown at 02:00 on the clock in Paris.
    schedule = api.get(f"{base}/nightly", params={"next": 10}).json()
    assert schedule["job"]["name"] == "nightly"  # the job is named after its schedule
    runs = page.get_by_test_id("next-runs").locator("li")
    expect(runs).to_have_count(10)
    assert [runs.nth(i).get_attribute("title") for i in range(10)] == schedule["next_runs"]
    expect(runs.first).to_contain_text("2:00")

    # Trigger now: a job that really runs, listed in the history.
    page.get_by_role("button", name="Trigger now").click()
    expect(page.get_by_role("status")).to_contain_text("Triggered nightly: submitted job")
    history = api.get(f"{base}/nightly/history").json()["items"]
    job_id = history[0]["job_id"]
    row = page.get_by_role("table", name="History").locator(f'tr[data-key="{history[0]["id"]}"]')
    expect(row).to_contain_text("manual (admin)")
    expect(row).to_contain_text("submitted")
    row.get_by_role("link", name=f"#{job_id}").click()
    expect(page.get_by_test_id("job-log")).to_contain_text("from-schedule", timeout=60_000)
    page.go_back()

    # Disable, enable, and switch to a preset.
    page.get_by_role("button", name="Disable").click()
    expect(page.locator('h1 [data-status="disabled"]')).to_be_visible()
    assert api.get(f"{base}/nightly").json()["enabled"] is False
    page.get_by_role("button", name="Enable").click()
    expect(page.locator('h1 [data-status="active"]')).to_be_visible()
    page.get_by_role("button", name="Edit").click()
    edit = page.get_by_role("form", name="Edit nightly")
    expect(edit.locator('textarea[name="command"]')).to_have_value("echo from-schedule")
    edit.locator('select[name="timing"]').select_option("hourly")
    edit.get_by_role("button", name="Save schedule").click()
    expect(page.get_by_test_id("schedule-timing")).to_have_text("hourly (0 * * * *)")
    saved = api.get(f"{base}/nightly").json()
    assert (saved["preset"], saved["timezone"]) == ("hourly", "Europe/Paris")
    assert saved["enabled"] is True

    # The list flags the schedule whose instance type went away, once the ticker has tried it.
    page.goto(f"{url}/g/{GROUP}/schedules")
    flagged = page.get_by_role("table", name="Schedules").locator(f'tr[data-key="{doomed}"]')
    expect(flagged.locator('[data-status="invalid"]')).to_be_visible(timeout=TICK)
    problem = api.get(f"{base}/{doomed}").json()["problem"]
    assert GONE in problem
    expect(flagged.locator(".problem")).to_have_text(problem)
    expect(flagged).to_contain_text("failed")
    api.post(f"{base}/{doomed}/disable")

    # Delete from its page.
    page.get_by_role("link", name="nightly").click()
    page.get_by_role("button", name="Delete").click()
    page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(f"{url}/g/{GROUP}/schedules")
    assert api.get(f"{base}/nightly").status_code == 404
