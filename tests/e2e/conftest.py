"""Browser fixtures: Debian's Chromium driven by Playwright, one browser per module."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.conftest import LiveServer

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str:
    path = os.environ.get("ATRIUM_CHROMIUM") or shutil.which("chromium")
    if not path:
        pytest.fail("Debian's chromium is required: `apt-get install chromium` (make test does it)")
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=_chromium(), headless=True, args=CHROMIUM_FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()


def sign_in(page: Page, url: str, username: str, password: str) -> None:
    page.goto(f"{url}/login")
    page.fill('input[name="username"]', username)
    page.fill('input[name="password"]', password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(f"{url}/login")


def api_client(live: LiveServer) -> httpx.Client:
    r = httpx.post(
        f"{live.url}/api/v1/auth/login", json={"username": "admin", "password": live.admin_password}
    )
    return httpx.Client(
        base_url=f"{live.url}/api/v1", headers={"Authorization": f"Bearer {r.json()['token']}"}
    )
