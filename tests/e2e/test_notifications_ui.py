"""Notification channels on the profile page: a signed webhook that really receives job ends."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.conftest import LiveServer
from tests.e2e.conftest import api_client as _api
from tests.e2e.conftest import sign_in as _sign_in
from tests.notify_receivers import WebhookReceiver, receiver_fixture, verify

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
__all__ = ["receiver_fixture"]

USER, PASSWORD, GROUP = "notif-user", "notif-user-pass", "notif-ui"


def _user_client(live: LiveServer) -> httpx.Client:
    """A group with an instance type, and a member of it (the channels' owner)."""
    api = _api(live)
    api.post("/users", json={"username": USER, "password": PASSWORD})
    api.post("/groups", json={"name": GROUP})
    api.post(f"/groups/{GROUP}/members", json={"username": USER, "role": "member"})
    api.post(
        "/instance-types",
        json={"name": "notif-cpu", "cpu": 1, "memory": "1Gi", "gpu": 0, "is_global": False,
              "groups": [GROUP]},
    )  # fmt: skip
    token = httpx.post(
        f"{live.url}/api/v1/auth/login", json={"username": USER, "password": PASSWORD}
    )
    return httpx.Client(
        base_url=f"{live.url}/api/v1", headers={"Authorization": f"Bearer {token.json()['token']}"}
    )


def test_webhook_channel_in_the_browser(
    page: Page, live_server: LiveServer, receiver: WebhookReceiver
) -> None:
    url, me = live_server.url, _user_client(live_server)
    _sign_in(page, url, USER, PASSWORD)
    page.goto(f"{url}/profile")
    form = page.get_by_role("form", name="Add notification channel")

    # The server's refusal is shown as it is.
    form.get_by_label("Webhook URL").fill("ftp://example.test/hook")
    form.get_by_role("button", name="Add channel").click()
    expect(page.get_by_role("alert")).to_contain_text("url")
    assert me.get("/me/notification-channels").json()["items"] == []

    form.get_by_label("Webhook URL").fill(receiver.url)
    form.get_by_role("group", name="Events").get_by_label("succeeded").check()
    form.get_by_label("Group").select_option(GROUP)
    form.get_by_role("button", name="Add channel").click()
    secret = page.get_by_test_id("webhook-secret").inner_text().strip()
    [channel] = me.get("/me/notification-channels").json()["items"]
    assert (channel["group"], channel["events"]) == (
        GROUP,
        ["succeeded", "failed", "cancelled", "timed_out"],
    )
    assert secret.startswith(channel["secret_prefix"])
    table = page.get_by_role("table", name="Notification channels")
    row = table.locator(f'tr[data-key="{channel["id"]}"]')
    expect(row).to_contain_text(receiver.url)

    # A test event, signed with the secret the page showed.
    row.get_by_role("button", name="Send test").click()
    expect(page.get_by_text("Test event delivered.")).to_be_visible()
    [hook] = receiver.wait_for(1)
    assert hook.headers["x-atrium-event"] == "notification.test"
    assert verify(secret, hook.headers, hook.body)
    deliveries = page.get_by_role("table", name="Deliveries")
    expect(
        deliveries.locator(f'tr[data-key="{hook.headers["x-atrium-delivery"]}"]')
    ).to_contain_text("sent")

    # A job of mine that ends is reported.
    job = me.post(f"/groups/{GROUP}/jobs", json={"command": "true", "instance_type": "notif-cpu"})
    hooks = receiver.wait_for(2, timeout=60)
    ended = hooks[1].json
    assert (ended["event"], ended["job"]["id"], ended["job"]["status"]) == (
        "job.ended",
        job.json()["id"],
        "succeeded",
    )
    assert verify(secret, hooks[1].headers, hooks[1].body)

    # Change what it reports, switch it off, rotate its secret, delete it.
    one = f"/me/notification-channels/{channel['id']}"
    # (The boxes show what the server saved: they change once it answers.)
    succeeded = row.get_by_role("group", name=f"Events of {receiver.url}").get_by_label("succeeded")
    succeeded.click()
    expect(succeeded).not_to_be_checked()
    row.get_by_label(f"Group of {receiver.url}").select_option("")
    expect(row.get_by_label(f"Group of {receiver.url}")).to_have_value("")
    saved = me.get(one).json()
    assert (saved["events"], saved["group"]) == (["failed", "cancelled", "timed_out"], None)
    enabled = row.get_by_label(f"Enabled: {receiver.url}")
    enabled.click()
    expect(enabled).not_to_be_checked()
    assert me.get(one).json()["enabled"] is False
    page.get_by_role("button", name="Done").click()
    row.get_by_role("button", name="Rotate secret").click()
    row.get_by_role("button", name="Confirm").click()
    rotated = page.get_by_test_id("webhook-secret").inner_text().strip()
    assert rotated != secret
    prefix = me.get(one).json()["secret_prefix"]
    assert rotated.startswith(prefix)
    expect(row).to_contain_text(prefix)
    row.get_by_role("button", name="Delete").click()
    row.get_by_role("button", name="Confirm").click()
    expect(row).to_have_count(0)
    assert me.get("/me/notification-channels").json()["items"] == []


def test_email_channel_needs_the_servers_smtp_settings(page: Page, live_server: LiveServer) -> None:
    """The live server has no SMTP settings: the page says so, and nothing is created."""
    _api(live_server).post("/users", json={"username": "notif-mail", "password": "notif-mail-1"})
    _sign_in(page, live_server.url, "notif-mail", "notif-mail-1")
    page.goto(f"{live_server.url}/profile")
    form = page.get_by_role("form", name="Add notification channel")
    form.get_by_label("Kind").select_option("email")
    form.get_by_label("E-mail address").fill("ops@hub.test")
    form.get_by_role("button", name="Add channel").click()
    expect(page.get_by_role("alert")).to_contain_text("no SMTP settings")
    expect(page.get_by_role("table", name="Notification channels")).to_contain_text("No channels")
