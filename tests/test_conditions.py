"""Conditions on the runs: a small grammar that reads comparisons and logic, and never runs code."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.analysis.conditions import evaluate

RUNS = pd.DataFrame(
    {
        "deal": [True, False, True, True],
        "months_to_deal": [3.0, np.nan, 14.0, 12.0],
        "outcome": ["ceasefire_only", "war_goes_on", "comprehensive_deal", "ceasefire_only"],
        "front.p_advance": [0.1, 0.5, 0.9, 0.3],
    }
)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("deal and months_to_deal <= 12", [True, False, False, True]),
        ("not deal or outcome == 'comprehensive_deal'", [False, True, True, False]),
        ('deal & ~(months_to_deal > 12) | outcome == "war_goes_on"', [True, True, False, True]),
        ("0.2 < `front.p_advance` <= 0.9", [False, True, True, True]),
        ("front.p_advance >= 5e-1", [False, True, True, False]),
        ("months_to_deal != months_to_deal", [False, True, False, False]),
    ],
)
def test_conditions_read_as_written(text, expected):
    assert evaluate(text, RUNS).tolist() == expected


@pytest.mark.parametrize(
    "text, message",
    [
        ("@pd.io.common.os.system('true') > 0", "'@' names are not allowed"),
        ("__import__('os').system('true')", 'cannot read ".system'),
        ("deal.__class__", "unknown column"),
        ("months_to_deal", "is not yes/no"),
        ("deal and (months_to_deal < 3", "not closed"),
        ("deal deal", "after a complete condition"),
        ("deal;", "cannot read ';'"),
        ("(" * 3000 + "deal" + ")" * 3000, "nest more than 50 levels deep"),
        ("not " * 3000 + "deal", "nest more than 50 levels deep"),
        ("outcome < 5", "cannot compare column 'outcome' < 5.0: text and numbers cannot be ordered"),
        ("months_to_deal < 'abc'", "cannot compare column 'months_to_deal' < 'abc'"),
        ("1 <= 'a'", "cannot compare 1.0 <= 'a'"),
    ],
)
def test_anything_else_is_refused_with_a_reason(text, message):
    with pytest.raises(ValueError, match=None) as refused:
        evaluate(text, RUNS)
    assert message in str(refused.value)


def test_fifty_levels_of_parentheses_are_read():
    assert evaluate("(" * 49 + "not deal" + ")" * 49, RUNS).tolist() == [False, True, False, False]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("deal_months<=>!()&|~@'`\" 0123.e-andornt")), max_size=40))
def test_any_text_gives_a_yes_no_per_run_or_a_clear_refusal(text):
    try:
        result = evaluate(text, RUNS)
    except ValueError:
        return
    assert result.dtype == bool and len(result) == len(RUNS)


@settings(max_examples=100, deadline=None)
@given(st.floats(-1e6, 1e6, allow_nan=False), st.sampled_from(["<", "<=", ">", ">=", "==", "!="]))
def test_a_comparison_with_a_number_matches_pandas(threshold, compare):
    column = RUNS["front.p_advance"]
    expected = {
        "<": column < threshold,
        "<=": column <= threshold,
        ">": column > threshold,
        ">=": column >= threshold,
        "==": column == threshold,
        "!=": column != threshold,
    }[compare]
    assert evaluate(f"front.p_advance {compare} {threshold!r}", RUNS).tolist() == expected.tolist()
