"""Jobs on the client side: ``client.jobs`` and running Python functions as jobs."""

from atrium.sdk.jobs.function import JobFunctionError, RemoteFunction
from atrium.sdk.jobs.models import Artifact, Job, JobAttempt, LogChunk, ResourceSample
from atrium.sdk.jobs.resource import JobsResource

__all__ = [
    "Artifact",
    "Job",
    "JobAttempt",
    "JobFunctionError",
    "JobsResource",
    "LogChunk",
    "RemoteFunction",
    "ResourceSample",
]
