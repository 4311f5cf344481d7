"""Model registry rules: names, aliases, version states, and reading MLflow's MLmodel file."""

from __future__ import annotations

import enum
import json
import re
from dataclasses import dataclass, field
from typing import Any

from atrium.contracts.registry import ALIAS_PATTERN, MODEL_NAME_PATTERN, ModelRef, parse_model_ref
from atrium.server.domain.errors import InvalidInput

MLMODEL = "MLmodel"
MAX_MLMODEL = 2**20
# ``models/resolve`` is the route that resolves refs: a model of that name could not be read.
RESERVED_NAMES = frozenset({".", "..", "resolve"})
_RESERVED_ALIAS = re.compile(r"^(latest|v\d+)$", re.IGNORECASE)


class VersionStatus(enum.StrEnum):
    PENDING = "pending"
    READY = "ready"


def check_model_name(name: str) -> str:
    if not re.fullmatch(MODEL_NAME_PATTERN, name) or name in RESERVED_NAMES or name != name.strip():
        raise InvalidInput(
            f"invalid model name {name[:100]!r}: 1-250 characters, no '/', '\\', '@', '?', '#', "
            "'%' or control characters, no leading or trailing spaces, not '.', '..' or "
            "'resolve'",
            {"field": "name"},
        )
    return name


def check_alias(alias: str) -> str:
    """MLflow's alias rules: letters, digits, '_' and '-'; 'latest' and 'v<N>' would read as
    version refs, so they are refused."""
    if not re.fullmatch(ALIAS_PATTERN, alias) or _RESERVED_ALIAS.fullmatch(alias):
        raise InvalidInput(
            f"invalid alias {alias[:100]!r}: 1-255 letters, digits, '_' or '-', "
            "and not 'latest' or 'v<number>'",
            {"field": "alias"},
        )
    return alias


def parse_ref(ref: str) -> ModelRef:
    try:
        parsed = parse_model_ref(ref)
    except ValueError as exc:
        raise InvalidInput(str(exc), {"field": "ref"}) from exc
    check_model_name(parsed.name)
    return parsed


@dataclass
class MLmodelInfo:
    """What an MLmodel file tells the registry."""

    flavors: list[str] = field(default_factory=list)
    signature: dict[str, Any] | None = None
    input_example_path: str | None = None


def read_mlmodel(data: bytes) -> MLmodelInfo:
    """Flavors, signature and input example path of an MLmodel file (YAML, safe loader only).

    The signature's ``inputs``/``outputs`` are JSON strings in the file; they are decoded so
    the API returns structured data."""
    import yaml  # type: ignore[import-untyped]  # here: only model uploads read YAML

    try:
        doc = yaml.safe_load(data.decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InvalidInput(
            f"the MLmodel file is not valid YAML: {exc}", {"field": MLMODEL}
        ) from exc
    if not isinstance(doc, dict):
        raise InvalidInput("the MLmodel file is not a YAML mapping", {"field": MLMODEL})
    flavors = doc.get("flavors")
    info = MLmodelInfo(flavors=sorted(flavors) if isinstance(flavors, dict) else [])
    signature = doc.get("signature")
    if isinstance(signature, dict):
        info.signature = {k: _json_or_self(v) for k, v in signature.items()}
    example = doc.get("saved_input_example_info")
    if isinstance(example, dict) and isinstance(example.get("artifact_path"), str):
        info.input_example_path = example["artifact_path"]
    return info


def _json_or_self(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value
