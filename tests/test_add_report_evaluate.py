"""The drafts measured: leave-one-document-out on the curated documents meets the goals of issue 11,
and every unedited draft (curated documents and test reports) is accepted."""

from __future__ import annotations

import pytest

from cityscience.report.evaluate import GOALS, evaluate_documents, evaluate_reports, goals_met
from reports import FOLDER


@pytest.fixture(scope="module")
def scores():
    return evaluate_documents()


def test_leave_one_out_meets_the_goals(scores):
    overall = scores[-1]
    assert overall.document == "overall" and overall.pairs == sum(s.pairs for s in scores[:-1])
    met = goals_met(overall)
    assert all(met.values()), {k: (overall, GOALS[k]) for k, ok in met.items() if not ok}


def test_every_unedited_draft_is_accepted(scores):
    assert [(s.document, s.note) for s in scores if not s.accepted] == []
    reports = evaluate_reports(FOLDER)
    assert [(s.document, s.note) for s in reports if not s.accepted] == []
    assert reports[-1].fields == reports[-1].field_total  # every field of the test reports' rows as curated
