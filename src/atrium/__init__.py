"""Atrium: an open-source MLOps hub for groups sharing data, compute and models."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from atrium.sdk import Client
    from atrium.sdk.registry import load_model
    from atrium.sdk.registry.saving import log_model
    from atrium.sdk.tracking.fluent import (
        active_run,
        end_run,
        flush,
        log_artifact,
        log_artifacts,
        log_dict,
        log_figure,
        log_metric,
        log_metrics,
        log_param,
        log_params,
        log_text,
        set_tag,
        set_tags,
        start_run,
    )

__version__ = "0.1.0"

__all__ = [
    "Client",
    "__version__",
    # The experiment-tracking API (atrium.sdk.tracking.fluent), loaded on first use too.
    "active_run",
    "end_run",
    "flush",
    # The model registry (atrium.sdk.registry): load_model, log_model.
    "load_model",
    "log_artifact",
    "log_artifacts",
    "log_dict",
    "log_figure",
    "log_metric",
    "log_metrics",
    "log_model",
    "log_param",
    "log_params",
    "log_text",
    "set_tag",
    "set_tags",
    "start_run",
]
_REGISTRY = frozenset({"load_model", "log_model"})
_TRACKING = frozenset(__all__[2:]) - _REGISTRY


def __getattr__(name: str) -> Any:
    # The SDK (httpx and its models, ~0.1 s) loads on first use, not with every `atrium.*`
    # import: the CLI, the server and offline dataset commands do not all need it.
    if name == "Client":
        from atrium.sdk import Client

        return Client
    if name in _TRACKING:
        from atrium.sdk.tracking import fluent

        return getattr(fluent, name)
    if name == "load_model":
        from atrium.sdk.registry import load_model

        return load_model
    if name == "log_model":
        from atrium.sdk.registry.saving import log_model

        return log_model
    raise AttributeError(f"module 'atrium' has no attribute {name!r}")
