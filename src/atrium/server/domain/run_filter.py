"""The run filter language: a small hand-written lexer and recursive-descent parser.

    metrics.acc > 0.9 and params.lr = '0.01' and (tags.team = 'x' or attributes.status = 'failed')

Fields are ``metrics.KEY``, ``params.KEY``, ``tags.KEY`` and ``attributes.NAME``; a key with
spaces or odd characters is quoted with backticks or double quotes (``metrics.`val loss```).
Strings are single- or double-quoted. The parser returns a tree; store/run_search.py compiles it
to SQL with bound parameters only. Every error names the character position it stopped at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from atrium.server.domain.errors import DomainError

MAX_FILTER = 10_000
MAX_COMPARISONS = 50
MAX_DEPTH = 20

Scalar = float | str | datetime
Value = Scalar | tuple[Scalar, ...] | None

PREFIXES = {
    "metric": "metric",
    "metrics": "metric",
    "param": "param",
    "params": "param",
    "parameter": "param",
    "parameters": "param",
    "tag": "tag",
    "tags": "tag",
    "attribute": "attribute",
    "attributes": "attribute",
    "attr": "attribute",
    "run": "attribute",
}
# Attribute name -> (canonical name, value type).
ATTRIBUTES = {
    "run_id": ("run_id", "string"),
    "id": ("run_id", "string"),
    "name": ("name", "string"),
    "run_name": ("name", "string"),
    "status": ("status", "string"),
    "user": ("user", "string"),
    "experiment": ("experiment", "string"),
    "parent_run_id": ("parent_run_id", "string"),
    "source_type": ("source_type", "string"),
    "job_id": ("job_id", "number"),
    "start_time": ("start_time", "time"),
    "end_time": ("end_time", "time"),
}
NUMERIC_OPS = {"=", "!=", "<", "<=", ">", ">="}
STRING_OPS = {"=", "!=", "like", "ilike", "in", "not in"}
NULL_OPS = {"is null", "is not null"}
OPS_BY_TYPE = {
    "number": NUMERIC_OPS | {"in", "not in"} | NULL_OPS,
    "time": NUMERIC_OPS | NULL_OPS,
    "string": STRING_OPS | NULL_OPS,
    "metric": NUMERIC_OPS | NULL_OPS,
}


class FilterError(DomainError):
    code = "invalid_filter"
    status = 422

    def __init__(self, message: str, position: int, text: str) -> None:
        super().__init__(
            f"{message} at position {position}", {"position": position, "filter": text[:500]}
        )
        self.position = position


@dataclass(frozen=True)
class Field:
    kind: str  # metric | param | tag | attribute
    key: str

    @property
    def value_type(self) -> str:
        if self.kind == "metric":
            return "metric"
        if self.kind == "attribute":
            return ATTRIBUTES[self.key][1]
        return "string"


@dataclass(frozen=True)
class Comparison:
    field: Field
    op: str
    value: Value


@dataclass(frozen=True)
class BoolOp:
    op: str  # and | or
    parts: tuple[Node, ...]


Node = Comparison | BoolOp


@dataclass(frozen=True)
class OrderKey:
    field: Field
    descending: bool


@dataclass(frozen=True)
class Token:
    kind: str  # word, number, string, key, op, punct, end
    text: str
    pos: int


_TOKEN = re.compile(
    r"""(?P<ws>\s+)
    |(?P<string>'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.)*")
    |(?P<key>`[^`]*`)
    |(?P<op><=|>=|!=|<>|==|=|<|>)
    |(?P<punct>[(),])
    |(?P<number>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)
    |(?P<word>[A-Za-z_][A-Za-z0-9_\-.:/]*)""",
    re.VERBOSE | re.DOTALL,
)
_ESCAPES = {"'": re.compile(r"\\(.)|''", re.DOTALL), '"': re.compile(r"\\(.)", re.DOTALL)}


def tokenize(text: str) -> list[Token]:
    if len(text) > MAX_FILTER:
        raise FilterError(f"the filter is longer than {MAX_FILTER} characters", MAX_FILTER, text)
    tokens, pos = [], 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise FilterError(f"unexpected character {text[pos]!r}", pos, text)
        kind = match.lastgroup
        assert kind is not None
        if kind != "ws":
            tokens.append(Token(kind, match.group(), pos))
        pos = match.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


def unquote(token: Token) -> str:
    """A quoted token's text: backslash escapes anywhere, '' inside single quotes."""
    body = token.text[1:-1]
    if token.text[0] == "`":
        return body
    return _ESCAPES[token.text[0]].sub(
        lambda m: m.group(1) if m.group(1) is not None else "'", body
    )


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0
        self.comparisons = 0

    # ---- tokens ------------------------------------------------------------------------

    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def keyword(self, *words: str) -> bool:
        """Consume the next token if it is one of ``words`` (case-insensitive)."""
        if self.token.kind == "word" and self.token.text.lower() in words:
            self.index += 1
            return True
        return False

    def fail(self, message: str, token: Token | None = None) -> FilterError:
        where = token or self.token
        found = "the end of the filter" if where.kind == "end" else repr(where.text)
        return FilterError(f"{message}, found {found}", where.pos, self.text)

    def expect_punct(self, char: str) -> None:
        if self.token.kind != "punct" or self.token.text != char:
            raise self.fail(f"expected {char!r}")
        self.index += 1

    # ---- grammar -----------------------------------------------------------------------

    def expression(self, depth: int = 0) -> Node:
        if depth > MAX_DEPTH:
            raise self.fail(f"parentheses nest deeper than {MAX_DEPTH}")
        parts = [self.conjunction(depth)]
        while self.keyword("or"):
            parts.append(self.conjunction(depth))
        return parts[0] if len(parts) == 1 else BoolOp("or", tuple(parts))

    def conjunction(self, depth: int) -> Node:
        parts = [self.atom(depth)]
        while self.keyword("and"):
            parts.append(self.atom(depth))
        return parts[0] if len(parts) == 1 else BoolOp("and", tuple(parts))

    def atom(self, depth: int) -> Node:
        if self.token.kind == "punct" and self.token.text == "(":
            self.index += 1
            node = self.expression(depth + 1)
            self.expect_punct(")")
            return node
        return self.comparison()

    def comparison(self) -> Comparison:
        self.comparisons += 1
        if self.comparisons > MAX_COMPARISONS:
            raise self.fail(f"a filter may hold at most {MAX_COMPARISONS} comparisons")
        field = self.field()
        op_token = self.token
        op = self.operator()
        allowed = OPS_BY_TYPE[field.value_type]
        if op not in allowed:
            shown = ", ".join(sorted(o.upper() for o in allowed))
            raise FilterError(
                f"{op.upper()} does not apply to {_describe(field)} (use {shown})",
                op_token.pos,
                self.text,
            )
        return Comparison(field, op, self.operand(field, op))

    def field(self) -> Field:
        token = self.advance()
        prefix, dot, key = token.text.partition(".")
        kind = PREFIXES.get(prefix.lower()) if token.kind == "word" else None
        if kind is None or not dot:
            raise self.fail(
                "expected a field such as metrics.NAME, params.NAME, tags.NAME or attributes.NAME",
                token,
            )
        if not key and self.token.kind in ("key", "string") and self.token.text[0] != "'":
            key = unquote(self.advance())
        if not key:
            raise self.fail(f"expected a key after {prefix}.")
        if kind == "attribute":
            known = ATTRIBUTES.get(key.lower())
            if known is None:
                names = ", ".join(sorted({name for name, _ in ATTRIBUTES.values()}))
                raise FilterError(
                    f"unknown attribute {key!r} (known: {names})", token.pos, self.text
                )
            key = known[0]
        return Field(kind, key)

    def operator(self) -> str:
        token = self.token
        if token.kind == "op":
            self.index += 1
            return {"==": "=", "<>": "!="}.get(token.text, token.text)
        if self.keyword("like", "ilike", "in"):
            return token.text.lower()
        if self.keyword("not"):
            if self.keyword("in"):
                return "not in"
            raise self.fail("expected IN after NOT")
        if self.keyword("is"):
            negated = self.keyword("not")
            if not self.keyword("null"):
                raise self.fail("expected NULL")
            return "is not null" if negated else "is null"
        raise self.fail("expected a comparison (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, IS NULL)")

    def operand(self, field: Field, op: str) -> Value:
        if op in NULL_OPS:
            return None
        if op in ("in", "not in"):
            self.expect_punct("(")
            values = [self.scalar(field)]
            while self.token.kind == "punct" and self.token.text == ",":
                self.index += 1
                values.append(self.scalar(field))
            self.expect_punct(")")
            return tuple(values)
        return self.scalar(field)

    def scalar(self, field: Field) -> Scalar:
        token = self.advance()
        kind = field.value_type
        if kind in ("metric", "number") and token.kind == "number":
            return float(token.text)
        if kind == "time" and token.kind == "number":
            return _from_millis(float(token.text), token, self.text)
        if kind == "time" and token.kind == "string":
            return _from_iso(unquote(token), token, self.text)
        if kind == "string" and token.kind == "string":
            return unquote(token)
        wanted = "a number" if kind in ("metric", "number") else "a quoted string"
        if kind == "time":
            wanted = "milliseconds since the epoch or a quoted ISO time"
        raise self.fail(f"expected {wanted} for {_describe(field)}", token)

    def order_key(self) -> OrderKey:
        field = self.field()
        descending = False
        if self.keyword("desc"):
            descending = True
        else:
            self.keyword("asc")
        return OrderKey(field, descending)

    def finish(self) -> None:
        if self.token.kind != "end":
            raise self.fail("expected AND, OR or the end of the filter")


def parse_filter(text: str) -> Node | None:
    """The filter's tree, or None for an empty (match-all) filter."""
    if not text.strip():
        return None
    parser = _Parser(text)
    node = parser.expression()
    parser.finish()
    return node


def parse_order(text: str) -> OrderKey:
    """One ``order_by`` entry: a field and an optional ASC or DESC."""
    parser = _Parser(text)
    key = parser.order_key()
    if parser.token.kind != "end":
        raise parser.fail("expected ASC, DESC or the end of the order")
    return key


def _describe(field: Field) -> str:
    plural = {"metric": "metrics", "param": "params", "tag": "tags", "attribute": "attributes"}
    return f"{plural[field.kind]}.{field.key}"


def _from_millis(value: float, token: Token, text: str) -> datetime:
    try:
        return datetime.fromtimestamp(value / 1000, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise FilterError(f"time {token.text} is out of range", token.pos, text) from exc


def _from_iso(value: str, token: Token, text: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise FilterError(f"{value!r} is not an ISO time", token.pos, text) from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
