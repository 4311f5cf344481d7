"""Blob store fixtures: a real S3-protocol server on loopback and ``blob_store`` over backends.

The S3 server is moto's threaded server (a Python implementation of the S3 REST protocol)
bound to 127.0.0.1 on a port the OS picks. Each test gets its own key prefix in one bucket, so
tests are isolated without paying for a bucket per test.
"""

from __future__ import annotations

import itertools
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import boto3
import pytest

from atrium.server.backends.blobstore import BlobStore, LocalBlobStore, S3BlobStore
from atrium.server.backends.blobstore._s3_client import make_client

if TYPE_CHECKING:
    from mypy_boto3_s3.client import S3Client

BUCKET = "atrium-test-blobs"
REGION = "us-east-1"
_DUMMY_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    # Never let botocore probe the EC2 metadata address: only loopback traffic in tests.
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}
_prefixes = itertools.count()


@pytest.fixture(scope="session")
def aws_env() -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in _DUMMY_AWS_ENV}
    os.environ.update(_DUMMY_AWS_ENV)
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="session")
def s3_endpoint(aws_env: None) -> Iterator[str]:
    """URL of a moto S3 server on loopback with the test bucket created."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one log line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    boto3.client("s3", endpoint_url=url, region_name=REGION).create_bucket(Bucket=BUCKET)
    yield url
    server.stop()


@pytest.fixture(scope="session")
def s3_client(s3_endpoint: str) -> S3Client:
    """One client for the session: building one parses botocore's S3 model (~0.1-0.5 s)."""
    return make_client(s3_endpoint, REGION, 16, (None, None, None))


@pytest.fixture
def make_s3_store(s3_client: S3Client) -> Callable[[], S3BlobStore]:
    """Factory of S3 stores, each under a fresh prefix of the shared bucket."""

    def make() -> S3BlobStore:
        prefix = f"t{os.getpid()}-{next(_prefixes)}/blobs"
        return S3BlobStore(BUCKET, prefix, client=s3_client)

    return make


@pytest.fixture(params=["local", "s3"])
def blob_store(request: pytest.FixtureRequest, tmp_path: Path) -> BlobStore:
    if request.param == "local":
        return LocalBlobStore(tmp_path / "blobs")
    make: Callable[[], S3BlobStore] = request.getfixturevalue("make_s3_store")
    return make()
