"""The boto3 S3 client the S3 blob store uses, and its error helpers."""

from __future__ import annotations

from typing import TYPE_CHECKING

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_s3.client import S3Client

_NOT_FOUND = {"404", "NoSuchKey", "NotFound"}


def make_client(
    endpoint_url: str | None,
    region: str | None,
    max_workers: int,
    credentials: tuple[str | None, str | None, str | None],
) -> S3Client:
    """One client for all threads (boto3 clients are thread-safe; sessions are not).

    Credentials left None are resolved by boto3's chain (``AWS_*`` variables, config files).
    """
    key_id, secret, token = credentials
    session = boto3.session.Session(
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
        aws_session_token=token,
        region_name=region,
    )
    custom = endpoint_url is not None
    config = Config(
        max_pool_connections=max_workers,
        retries={"max_attempts": 5, "mode": "standard"},
        # Custom endpoints (MinIO, Ceph, the test server) are reached by IP or a plain host
        # name, where virtual-host addressing (bucket.host) cannot resolve.
        s3={"addressing_style": "path"} if custom else None,
        # boto3's default CRC trailers (since 1.36) are refused by some S3-compatible servers;
        # integrity does not depend on them: every blob is BLAKE3-verified before upload and
        # after download.
        request_checksum_calculation="when_required" if custom else "when_supported",
        response_checksum_validation="when_required" if custom else "when_supported",
    )
    return session.client("s3", endpoint_url=endpoint_url, config=config)


def is_not_found(exc: ClientError) -> bool:
    error = exc.response.get("Error", {})
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return error.get("Code") in _NOT_FOUND or status == 404
