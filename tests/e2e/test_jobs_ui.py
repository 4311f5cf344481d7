"""Jobs in the dashboard: submit, follow the log live, artifacts, resources, rerun, clone, cancel.

The jobs really run, on the live server's local executor.
"""

from __future__ import annotations

import re

import httpx
import pytest
from blake3 import blake3
from playwright.sync_api import Page, expect

from tests.conftest import LiveServer
from tests.e2e.conftest import api_client as _api
from tests.e2e.conftest import sign_in as _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

GROUP = "jobs-ui"
LIST_GROUP = "jobs-list"
CPU = "jobs-ui-cpu"
TICKS = 8
SCRIPT = (
    'echo "start $GREETING"; test "$TOKEN" = tok-123 && echo secret-ok; '
    'cat "$ATRIUM_DATA_SCANS/a.txt"; '
    f"for i in $(seq 1 {TICKS}); do echo tick $i; sleep 1; done; "
    'echo result > "$ATRIUM_ARTIFACTS_DIR/model.txt"'
)
DONE = 60_000


@pytest.fixture(scope="module")
def api(live_server: LiveServer) -> httpx.Client:
    """Two groups sharing an instance type; jobs-ui also has a secret and a dataset (v1)."""
    client = _api(live_server)
    for group in (GROUP, LIST_GROUP):
        client.post("/groups", json={"name": group})
        client.post(f"/groups/{group}/members", json={"username": "admin", "role": "admin"})
    client.post(
        "/instance-types",
        json={"name": CPU, "cpu": 1, "memory": "1Gi", "gpu": 0, "is_global": False,
              "groups": [GROUP, LIST_GROUP]},
    )  # fmt: skip
    client.post(f"/groups/{GROUP}/secrets", json={"name": "TOKEN", "value": "tok-123"})
    client.post(f"/groups/{GROUP}/datasets", json={"name": "scans"})
    data = b"scan-data-1\n"
    digest = blake3(data).hexdigest()
    client.put(f"/groups/{GROUP}/datasets/scans/blobs/{digest}", content=data)
    files = [{"path": "a.txt", "size": len(data), "hash": digest}]
    r = client.post(f"/groups/{GROUP}/datasets/scans/versions", json={"files": files})
    assert r.status_code == 201, r.text
    return client


def _wait(client: httpx.Client, group: str, job_id: int) -> str:
    """Waits for the job to end; its status."""
    r = client.get(f"/groups/{group}/jobs/{job_id}/wait", params={"timeout": 60}, timeout=70)
    status: str = r.json()["status"]
    return status


def _job_id(page: Page, url: str) -> int:
    expect(page).to_have_url(re.compile(rf"{url}/g/{GROUP}/jobs/\d+$"))
    return int(page.url.rsplit("/", 1)[1])


def _fill_submit_form(page: Page) -> None:
    form = page.get_by_role("form", name="Submit job")
    form.locator('input[name="job-name"]').fill("ui-train")
    form.locator('select[name="instance-type"]').select_option(CPU)
    form.locator('textarea[name="command"]').fill(SCRIPT)
    form.get_by_role("button", name="Add variable").click()
    form.get_by_label("Environment variables: name 1").fill("GREETING")
    form.get_by_label("Environment variables: value 1").fill("hello-ui")
    form.get_by_role("group", name="Secrets").get_by_label("TOKEN").check()
    form.get_by_role("button", name="Add dataset").click()
    form.get_by_label("Dataset inputs: name 1").fill("SCANS")
    form.get_by_label("Dataset input 1: dataset").select_option(f"{GROUP}/scans")
    form.get_by_label("Dataset input 1: version").select_option("@v1")
    form.locator('input[name="timeout"]').fill("5m")
    form.locator('input[name="priority"]').fill("5")


def test_submit_follow_the_log_and_collect_the_artifact(
    page: Page, live_server: LiveServer, api: httpx.Client
) -> None:
    url = live_server.url
    _sign_in(page, url, "admin", live_server.admin_password)
    page.goto(f"{url}/g/{GROUP}/jobs")
    page.get_by_role("link", name="New job").click()
    _fill_submit_form(page)
    page.get_by_role("button", name="Submit job").click()
    job_id = _job_id(page, url)

    # The log follows the job while it runs.
    log = page.get_by_test_id("job-log")
    expect(log).to_contain_text("tick 2", timeout=DONE)
    assert "tick 8" not in log.inner_text()
    expect(page.locator('h1 [data-status="running"]')).to_be_visible()
    expect(log).to_contain_text("start hello-ui")
    expect(log).to_contain_text("secret-ok")
    expect(log).to_contain_text("scan-data-1")
    expect(page.locator('h1 [data-status="succeeded"]')).to_be_visible(timeout=DONE)
    expect(page.get_by_test_id("log-status")).to_have_text("End of the log.")
    expect(log).to_contain_text(f"tick {TICKS}")

    job = api.get(f"/groups/{GROUP}/jobs/{job_id}").json()
    assert (job["status"], job["env"]) == ("succeeded", {"GREETING": "hello-ui"})
    assert job["secrets"] == ["TOKEN"]
    assert job["resolved_inputs"] == {"SCANS": f"{GROUP}/scans@v1"}
    assert (job["timeout_seconds"], job["priority"], job["instance_type"]) == (300, 5, CPU)

    # The artifact and the whole log download.
    link = page.get_by_role("table", name="Artifacts").get_by_role("link", name="model.txt")
    answer = page.request.get(f"{url}{link.get_attribute('href')}")
    assert answer.ok and answer.text() == "result\n"
    log_href = page.get_by_role("link", name="Download log").get_attribute("href")
    assert f"tick {TICKS}" in page.request.get(f"{url}{log_href}").text()

    # One point per sample the server took (the job ran for longer than one sample interval).
    samples = api.get(f"/groups/{GROUP}/jobs/{job_id}/samples").json()["items"]
    assert samples
    chart = page.get_by_role("figure", name="Resource usage")
    expect(chart.locator(".recharts-line-dots").first.locator("circle")).to_have_count(len(samples))

    # Rerun: the same spec as a new job, pointing back at this one.
    page.get_by_role("button", name="Rerun").click()
    expect(page).not_to_have_url(f"{url}/g/{GROUP}/jobs/{job_id}")
    rerun_id = _job_id(page, url)
    assert api.get(f"/groups/{GROUP}/jobs/{rerun_id}").json()["rerun_of"] == job_id
    expect(page.get_by_test_id("job-details")).to_contain_text(f"#{job_id}")
    assert _wait(api, GROUP, rerun_id) == "succeeded"

    # The usage report counts what the runs held.
    report = api.get("/usage-report", params={"group": GROUP}).json()
    attempts = next(line["attempts"] for line in report["lines"] if line["user"] == "admin")
    assert attempts >= 2
    page.goto(f"{url}/g/{GROUP}/usage")
    usage = page.get_by_role("table", name="Usage").locator(f'tr[data-key="{GROUP}/admin"]')
    expect(usage.locator("td").last).to_have_text(str(attempts))


def test_clone_prefills_the_form_and_failures_show_the_reason(
    page: Page, live_server: LiveServer, api: httpx.Client
) -> None:
    url = live_server.url
    spec = {"name": "to-clone", "command": "echo cloned", "instance_type": CPU, "env": {"A": "1"},
            "secrets": ["TOKEN"], "timeout_seconds": 7200, "max_retries": 1}  # fmt: skip
    source = api.post(f"/groups/{GROUP}/jobs", json=spec).json()["id"]
    _sign_in(page, url, "admin", live_server.admin_password)
    page.goto(f"{url}/g/{GROUP}/jobs/{source}")
    page.get_by_role("link", name="Clone").click()
    expect(page).to_have_url(f"{url}/g/{GROUP}/jobs/new?clone={source}")
    form = page.get_by_role("form", name="Submit job")
    expect(form.locator('input[name="job-name"]')).to_have_value("to-clone")
    expect(form.locator('textarea[name="command"]')).to_have_value("echo cloned")
    expect(form.get_by_label("Environment variables: value 1")).to_have_value("1")
    expect(form.get_by_role("group", name="Secrets").get_by_label("TOKEN")).to_be_checked()
    expect(form.locator('input[name="timeout"]')).to_have_value("2h")
    expect(form.locator('input[name="max-retries"]')).to_have_value("1")

    # The API's refusal is shown as it is, and nothing is submitted.
    form.get_by_label("Environment variables: name 1").fill("ATRIUM_X")
    form.get_by_role("button", name="Submit job").click()
    expect(page.get_by_role("alert")).to_contain_text("ATRIUM_* variables are set by Atrium")
    form.get_by_label("Environment variables: name 1").fill("A")
    form.locator('input[name="timeout"]').fill("soon")
    form.get_by_role("button", name="Submit job").click()
    expect(page.get_by_role("alert")).to_contain_text('Timeout: "soon" is not a duration')

    form.locator('input[name="timeout"]').fill("")
    form.locator('input[name="max-retries"]').fill("0")
    form.locator('textarea[name="command"]').fill("echo failing; exit 3")
    form.get_by_role("button", name="Submit job").click()
    failed = _job_id(page, url)
    expect(page.locator('h1 [data-status="failed"]')).to_be_visible(timeout=DONE)
    reason = api.get(f"/groups/{GROUP}/jobs/{failed}").json()["reason"]
    assert reason and "3" in reason
    expect(page.get_by_test_id("job-reason")).to_have_text(reason)
    expect(page.get_by_test_id("job-log")).to_contain_text("failing")


def test_list_filters_refreshes_and_cancels(
    page: Page, live_server: LiveServer, api: httpx.Client
) -> None:
    url = live_server.url
    api.post("/users", json={"username": "jobs-other", "password": "jobs-other-1"})
    api.post(f"/groups/{LIST_GROUP}/members", json={"username": "jobs-other", "role": "member"})
    other = httpx.Client(base_url=f"{url}/api/v1")
    token = other.post("/auth/login", json={"username": "jobs-other", "password": "jobs-other-1"})
    other.headers["Authorization"] = f"Bearer {token.json()['token']}"
    jobs = f"/groups/{LIST_GROUP}/jobs"
    body = {"instance_type": CPU}
    theirs = other.post(jobs, json={**body, "name": "theirs", "command": "true"})
    _wait(other, LIST_GROUP, theirs.json()["id"])

    _sign_in(page, url, "admin", live_server.admin_password)
    page.goto(f"{url}/g/{LIST_GROUP}/jobs")
    table = page.get_by_role("table", name="Jobs")
    expect(table).to_contain_text("theirs")
    # A job submitted elsewhere shows up without reloading the page.
    sleeper = api.post(jobs, json={**body, "name": "sleeper", "command": "sleep 120"})
    sleeper_id = sleeper.json()["id"]
    row = table.locator(f'tr[data-key="{sleeper_id}"]')
    expect(row.locator('[data-status="running"]')).to_be_visible(timeout=DONE)

    page.get_by_role("button", name="My jobs").click()
    expect(page).to_have_url(re.compile(r"mine=1"))
    expect(table).not_to_contain_text("theirs")
    expect(row).to_be_visible()
    page.get_by_role("button", name="All jobs").click()
    page.get_by_label("Status").select_option("succeeded")
    expect(row).to_have_count(0)
    expect(table).to_contain_text("theirs")
    page.get_by_label("Status").select_option("failed")
    expect(table).to_contain_text("No jobs match these filters.")

    # Cancel from the job page: the process is killed and the reason says who did it.
    page.get_by_label("Status").select_option("active")
    row.get_by_role("link").click()
    page.get_by_role("button", name="Cancel job").click()
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator('h1 [data-status="cancelled"]')).to_be_visible(timeout=DONE)
    job = api.get(f"{jobs}/{sleeper_id}").json()
    assert job["status"] == "cancelled" and "admin" in job["reason"]
    expect(page.get_by_test_id("job-reason")).to_have_text(job["reason"])
    expect(page.get_by_role("button", name="Cancel job")).to_have_count(0)
