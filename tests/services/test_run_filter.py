"""The run filter language: parsing, error positions, and a property-based round trip."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from atrium.server.domain.run_filter import (
    ATTRIBUTES,
    BoolOp,
    Comparison,
    Field,
    FilterError,
    Node,
    OrderKey,
    parse_filter,
    parse_order,
)


def test_a_filter_like_mlflows_parses_into_a_tree() -> None:
    node = parse_filter(
        "metrics.acc > 0.9 and params.lr = '0.01' and tags.team = \"x\" "
        "and attributes.status = 'FINISHED'"
    )
    assert node == BoolOp(
        "and",
        (
            Comparison(Field("metric", "acc"), ">", 0.9),
            Comparison(Field("param", "lr"), "=", "0.01"),
            Comparison(Field("tag", "team"), "=", "x"),
            Comparison(Field("attribute", "status"), "=", "FINISHED"),
        ),
    )


def test_or_binds_looser_than_and_and_parentheses_group() -> None:
    a, b, c = (Comparison(Field("metric", k), "<", 1.0) for k in "abc")
    assert parse_filter("metrics.a < 1 or metrics.b < 1 and metrics.c < 1") == BoolOp(
        "or", (a, BoolOp("and", (b, c)))
    )
    assert parse_filter("(metrics.a < 1 or metrics.b < 1) and metrics.c < 1") == BoolOp(
        "and", (BoolOp("or", (a, b)), c)
    )


def test_keys_with_dots_slashes_and_quoted_spaces() -> None:
    assert parse_filter("metrics.val.acc >= 1e-3") == Comparison(
        Field("metric", "val.acc"), ">=", 0.001
    )
    assert parse_filter("metrics.train/loss<-2") == Comparison(
        Field("metric", "train/loss"), "<", -2.0
    )
    assert parse_filter("params.`batch size` != '32'") == Comparison(
        Field("param", "batch size"), "!=", "32"
    )
    assert parse_filter("tags.\"my tag\" like 'a%'") == Comparison(
        Field("tag", "my tag"), "like", "a%"
    )


def test_in_null_and_time_comparisons() -> None:
    assert parse_filter("attributes.status IN ('failed', 'killed')") == Comparison(
        Field("attribute", "status"), "in", ("failed", "killed")
    )
    assert parse_filter("tags.x is not null") == Comparison(Field("tag", "x"), "is not null", None)
    assert parse_filter("params.y NOT IN ('1')") == Comparison(
        Field("param", "y"), "not in", ("1",)
    )
    start = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    millis = int(start.timestamp() * 1000)
    assert parse_filter(f"attributes.start_time > {millis}") == Comparison(
        Field("attribute", "start_time"), ">", start
    )
    assert parse_filter("run.start_time >= '2026-01-02T03:04:05'") == Comparison(
        Field("attribute", "start_time"), ">=", start
    )


def test_quotes_escape_inside_strings() -> None:
    assert parse_filter("params.s = 'it''s'") == Comparison(Field("param", "s"), "=", "it's")
    assert parse_filter(r"params.s = 'a\'b'") == Comparison(Field("param", "s"), "=", "a'b")


def test_empty_filter_matches_everything() -> None:
    assert parse_filter("   ") is None


@pytest.mark.parametrize(
    ("text", "position", "fragment"),
    [
        ("metrics.acc >", 13, "expected a number"),
        ("metrics.acc > 'x'", 14, "expected a number"),
        ("params.lr > '1'", 10, "> does not apply to params.lr"),
        ("acc > 1", 0, "expected a field"),
        ("metrics.acc > 1 and", 19, "expected a field"),
        ("metrics.acc > 1 metrics.b < 2", 16, "expected AND, OR"),
        ("(metrics.acc > 1", 16, "expected ')'"),
        ("attributes.colour = 'red'", 0, "unknown attribute"),
        ("metrics.acc ~ 1", 12, "unexpected character"),
        ("params.a = 'unterminated", 11, "unexpected character"),
        ("attributes.start_time > 'yesterday'", 24, "not an ISO time"),
        ("metrics. > 1", 9, "expected a key"),
    ],
)
def test_errors_name_the_position(text: str, position: int, fragment: str) -> None:
    with pytest.raises(FilterError) as caught:
        parse_filter(text)
    assert caught.value.position == position
    assert fragment in caught.value.message
    assert f"at position {position}" in caught.value.message
    assert caught.value.status == 422 and caught.value.details["position"] == position


def test_filters_are_bounded() -> None:
    with pytest.raises(FilterError, match="at most 50 comparisons"):
        parse_filter(" and ".join(["metrics.a > 1"] * 51))
    with pytest.raises(FilterError, match="nest deeper"):
        parse_filter("(" * 30 + "metrics.a > 1" + ")" * 30)
    with pytest.raises(FilterError, match="longer than"):
        parse_filter("metrics.a > 1" + " " * 10_000)


def test_order_keys() -> None:
    assert parse_order("metrics.acc DESC") == OrderKey(Field("metric", "acc"), True)
    assert parse_order("attributes.start_time asc") == OrderKey(
        Field("attribute", "start_time"), False
    )
    assert parse_order("params.lr") == OrderKey(Field("param", "lr"), False)
    with pytest.raises(FilterError, match="expected ASC, DESC"):
        parse_order("metrics.acc sideways")


# ---- round trip: render a random tree as text, parse it back ----------------------------------

KEY = st.from_regex(r"[A-Za-z0-9_\-. :/]{1,12}", fullmatch=True)
STRING = st.text(st.characters(blacklist_categories=["Cs"]), max_size=12)
NUMBER = st.floats(allow_nan=False, allow_infinity=False, width=64)
STRING_ATTRIBUTES = sorted({n for n, t in ATTRIBUTES.values() if t == "string"})


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


def render(node: Node) -> str:
    if isinstance(node, BoolOp):
        return "(" + f" {node.op} ".join(render(p) for p in node.parts) + ")"
    prefix = {"metric": "metrics", "param": "params", "tag": "tags", "attribute": "attributes"}
    field = f"{prefix[node.field.kind]}.`{node.field.key}`"
    if node.value is None:
        return f"{field} {node.op}"
    if isinstance(node.value, tuple):
        return f"{field} {node.op} (" + ", ".join(_quote(str(v)) for v in node.value) + ")"
    value = repr(node.value) if isinstance(node.value, float) else _quote(str(node.value))
    return f"{field} {node.op} {value}"


metric_comparisons = st.builds(
    Comparison,
    st.builds(Field, st.just("metric"), KEY),
    st.sampled_from(["=", "!=", "<", "<=", ">", ">="]),
    NUMBER,
)
string_comparisons = st.builds(
    Comparison,
    st.one_of(
        st.builds(Field, st.sampled_from(["param", "tag"]), KEY),
        st.builds(Field, st.just("attribute"), st.sampled_from(STRING_ATTRIBUTES)),
    ),
    st.sampled_from(["=", "!=", "like", "ilike"]),
    STRING,
)
list_comparisons = st.builds(
    Comparison,
    st.builds(Field, st.sampled_from(["param", "tag"]), KEY),
    st.sampled_from(["in", "not in"]),
    st.lists(STRING, min_size=1, max_size=3).map(tuple),
)
null_comparisons = st.builds(
    Comparison,
    st.builds(Field, st.sampled_from(["metric", "param", "tag"]), KEY),
    st.sampled_from(["is null", "is not null"]),
    st.none(),
)
comparisons = st.one_of(metric_comparisons, string_comparisons, list_comparisons, null_comparisons)
trees = st.recursive(
    comparisons,
    lambda children: st.builds(
        BoolOp,
        st.sampled_from(["and", "or"]),
        st.lists(children, min_size=2, max_size=3).map(tuple),
    ),
    max_leaves=8,
)


def _flat(node: Node) -> Node:
    """What parsing yields: (a and (b and c)) reads back as one and of three."""
    if isinstance(node, Comparison):
        return node
    parts: list[Node] = []
    for part in map(_flat, node.parts):
        parts.extend(part.parts if isinstance(part, BoolOp) and part.op == node.op else [part])
    return BoolOp(node.op, tuple(parts))


@settings(max_examples=300, deadline=None)
@given(trees)
def test_rendered_trees_parse_back_to_themselves(tree: Node) -> None:
    assert _flat(parse_filter(render(tree)) or tree) == _flat(tree)
