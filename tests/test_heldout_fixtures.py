"""The held-out test reports (tests/fixtures/heldout/ and heldout-2/) are annotated completely and exactly.

Every fact's evidence is on its line of the decoded report and states its value, every trap's
text is on its line, and every number of every report is a fact or a trap; so the score that
benchmarks/score_heldout.py gives is measured against a complete annotation.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCORER = Path(__file__).resolve().parents[1] / "benchmarks" / "score_heldout.py"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _scorer():
    spec = importlib.util.spec_from_file_location("score_heldout", SCORER)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("score_heldout", module)  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("folder", ["heldout", "heldout-2"])
def test_every_number_of_every_heldout_report_is_a_fact_or_a_trap(folder) -> None:
    scorer = _scorer()
    reports = scorer.load(FIXTURES / folder)
    problems = scorer.check(reports)
    assert problems == []
    assert all(r.facts for r in reports)


def test_the_check_finds_an_unannotated_number_and_a_wrong_value() -> None:
    scorer = _scorer()
    reports = scorer.load()
    report = reports[0]
    trap = report.traps.pop()
    fact = report.facts[0]
    fact["value"] += 1000
    problems = scorer.check(reports)
    assert any(f"line {trap['line']}: the number" in p for p in problems)
    assert any(f"does not state {fact['value']}" in p for p in problems)
