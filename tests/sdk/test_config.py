"""Where the SDK finds its URL and token: arguments, env, then the CLI's stored login."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from atrium.sdk import Client
from atrium.sdk.config import DEFAULT_URL, read_config


def store(path: Path, **data: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))


def test_defaults_to_local_server_and_anonymous() -> None:
    client = Client()
    assert (client.url, client.token) == (DEFAULT_URL, None)


def test_stored_login_is_used(isolated_config: Path) -> None:
    store(isolated_config, url="http://hub.example:8420/", token="stored")
    client = Client()
    assert (client.url, client.token) == ("http://hub.example:8420", "stored")


def test_env_overrides_stored_login(isolated_config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store(isolated_config, url="http://hub.example:8420", token="stored")
    monkeypatch.setenv("ATRIUM_URL", "http://hub.example:8420")
    monkeypatch.setenv("ATRIUM_TOKEN", "from-env")
    assert Client().token == "from-env"


def test_arguments_override_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATRIUM_URL", "http://env.example")
    monkeypatch.setenv("ATRIUM_TOKEN", "from-env")
    client = Client("http://arg.example", "from-arg")
    assert (client.url, client.token) == ("http://arg.example", "from-arg")


def test_stored_token_is_never_sent_to_another_server(isolated_config: Path) -> None:
    store(isolated_config, url="http://hub.example:8420", token="stored")
    assert Client("http://other.example").token is None


def test_unreadable_config_is_treated_as_empty(isolated_config: Path) -> None:
    isolated_config.parent.mkdir(parents=True)
    isolated_config.write_text("{not json")
    assert read_config().token is None
    assert Client().url == DEFAULT_URL
