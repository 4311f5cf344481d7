"""MLflow search filters and orders, in Atrium's run filter language.

Atrium's language is MLflow's with more (see docs/tracking.md), so a filter passes through
token by token; only the names that differ are rewritten: MLflow's system tags that Atrium
keeps as attributes, and a few attribute spellings. Parsing and its error positions stay with
Atrium's parser (the search service runs it), so a bad filter is refused the same way.
"""

from __future__ import annotations

import re

from atrium.server.api.mlflow.errors import invalid
from atrium.server.api.mlflow.wire import PARENT_TAG, RUN_NAME_TAG, USER_TAG
from atrium.server.domain.run_filter import FilterError, Token, tokenize, unquote

TAG_FIELDS = {
    RUN_NAME_TAG: "attributes.name",
    USER_TAG: "attributes.user",
    PARENT_TAG: "attributes.parent_run_id",
}
ATTRIBUTE_FIELDS = {"user_id": "user", "created": "start_time", "run_uuid": "run_id"}
ATTRIBUTE_PREFIXES = {"attribute", "attributes", "attr", "run"}
TAG_PREFIXES = {"tag", "tags"}


def _field(token: Token, following: Token) -> tuple[str | None, bool]:
    """The Atrium spelling of a field token (None: unchanged) and whether it swallowed the
    quoted key that follows it (``tags.`mlflow.runName```)."""
    prefix, dot, key = token.text.partition(".")
    lowered = prefix.lower()
    if not dot:
        return None, False
    if lowered == "datasets" or lowered == "dataset":
        raise invalid(f"filtering on {token.text} is not supported (position {token.pos})")
    quoted = not key and following.kind in ("key", "string") and following.text[0] != "'"
    if quoted:
        key = unquote(following)
    if lowered in TAG_PREFIXES and key in TAG_FIELDS:
        return TAG_FIELDS[key], quoted
    if lowered in ATTRIBUTE_PREFIXES and key.lower() in ATTRIBUTE_FIELDS:
        return f"attributes.{ATTRIBUTE_FIELDS[key.lower()]}", quoted
    return None, False


def translate(text: str) -> str:
    """The MLflow filter or order entry ``text`` in Atrium's language."""
    try:
        tokens = tokenize(text)
    except FilterError as exc:
        raise invalid(f"invalid filter: {exc.message}") from exc
    out, last, index = [], 0, 0
    while index < len(tokens) - 1:
        token = tokens[index]
        if token.kind == "word":
            replacement, swallowed = _field(token, tokens[index + 1])
            if replacement is not None:
                end = tokens[index + 1] if swallowed else token
                out.append(text[last : token.pos] + replacement)
                last = end.pos + len(end.text)
                index += 1 if swallowed else 0
        index += 1
    out.append(text[last:])
    return "".join(out)


# ---- experiments, logged models and registry searches: small AND-only filters ------------------

Condition = tuple[str, str, str | float]  # field, operator, value
STRING_OPS = {"=", "!=", "like", "ilike"}
NUMBER_OPS = {"=", "!=", "<", "<=", ">", ">="}


def _like(pattern: str, value: str, flags: int = 0) -> bool:
    parts = (".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.fullmatch("".join(parts), value, flags | re.DOTALL) is not None


def _holds(op: str, actual: str | float | None, wanted: str | float) -> bool:
    if actual is None:
        return op == "!="
    if op in ("like", "ilike"):
        return _like(str(wanted), str(actual), re.IGNORECASE if op == "ilike" else 0)
    if isinstance(wanted, float) != isinstance(actual, float):
        return False
    compare = {
        "=": actual == wanted,
        "!=": actual != wanted,
        "<": actual < wanted,  # type: ignore[operator]
        "<=": actual <= wanted,  # type: ignore[operator]
        ">": actual > wanted,  # type: ignore[operator]
        ">=": actual >= wanted,  # type: ignore[operator]
    }
    return compare[op]


def _condition(tokens: list[Token], at: int, text: str) -> tuple[Condition, int]:
    if at + 2 >= len(tokens):
        raise invalid(f"invalid filter {text!r}: expected FIELD OP VALUE at the end")
    field, op_token, value = tokens[at], tokens[at + 1], tokens[at + 2]
    if field.kind not in ("word", "key") or value.kind not in ("string", "number"):
        raise invalid(f"invalid filter {text!r} at position {field.pos}: expected FIELD OP VALUE")
    name = unquote(field) if field.kind == "key" else field.text
    op = op_token.text.lower()
    if op_token.kind not in ("op", "word") or op not in STRING_OPS | NUMBER_OPS:
        raise invalid(f"invalid filter {text!r}: unknown comparison at position {op_token.pos}")
    wanted: str | float = float(value.text) if value.kind == "number" else unquote(value)
    return (name, {"==": "="}.get(op, op), wanted), at + 3


def conditions(text: str | None) -> list[Condition]:
    """``name = 'x' AND tags.k LIKE 'a%'``: the comparisons, all of which must hold."""
    if not text or not text.strip():
        return []
    try:
        tokens = tokenize(text)
    except FilterError as exc:
        raise invalid(f"invalid filter: {exc.message}") from exc
    found, at = [], 0
    while True:
        condition, at = _condition(tokens, at, text)
        found.append(condition)
        if tokens[at].kind == "end":
            return found
        if tokens[at].text.lower() != "and":
            raise invalid(f"invalid filter {text!r}: expected AND at position {tokens[at].pos}")
        at += 1


def matches(fields: dict[str, str | float | None], wanted: list[Condition]) -> bool:
    """Whether an object, flattened to ``fields`` (``name``, ``tags.k``...), meets them all."""
    for name, op, value in wanted:
        prefix, dot, key = name.partition(".")
        if dot and prefix.lower() in ATTRIBUTE_PREFIXES:
            name = key
        elif dot and prefix.lower() in TAG_PREFIXES | {"param", "params", "metric", "metrics"}:
            name = f"{prefix.lower().rstrip('s')}s.{key}"
        if not _holds(op, fields.get(name), value):
            return False
    return True
