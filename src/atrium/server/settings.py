"""Server settings: flags or ``ATRIUM_*`` environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_home() -> Path:
    return Path.home() / ".atrium"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ATRIUM_", extra="ignore")

    home: Path = Field(default_factory=default_home)
    database_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8420
    admin_password: str | None = None
    session_ttl_hours: int = 24 * 7
    max_body_bytes: int = 1024 * 1024
    db_pool_size: int = 10
    log_level: str = "warning"
    blob_url: str | None = None
    #: URL-safe base64 of 32 bytes; seals group secrets. Unset: generated into the home.
    secret_key: str | None = None
    #: Where jobs run: ``local[?cpu=4&memory=8GiB]`` or ``ray+http://HOST:8265`` (a Ray cluster).
    executor: str = "local"
    #: Run the job scheduler in this process (every replica may; they coordinate).
    scheduler: bool = True
    #: How jobs reach this hub (ATRIUM_URL inside a job); default http://HOST:PORT.
    public_url: str | None = None
    #: A directory of virtualenvs jobs may name as their ``environment``.
    job_environments: Path | None = None
    job_sample_seconds: float = 5.0
    #: Outgoing mail for e-mail notifications; unset host: e-mail channels are refused.
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "atrium@localhost"
    smtp_starttls: bool = True

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.home / 'atrium.db'}"

    @property
    def blob_dir(self) -> Path:
        return self.home / "blobs"

    @property
    def secret_key_file(self) -> Path:
        return self.home / "secret.key"

    @property
    def jobs_dir(self) -> Path:
        return self.home / "jobs"

    @property
    def resolved_public_url(self) -> str:
        return self.public_url or f"http://{self.host}:{self.port}"

    @property
    def resolved_blob_url(self) -> str:
        return self.blob_url or f"file://{self.blob_dir}"
