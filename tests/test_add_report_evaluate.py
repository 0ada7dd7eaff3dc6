"""The drafts measured: leave-one-document-out on the documents the project ships meets the goals of issue
11 (on those documents alone, so a report a user adds does not move the goals' ground), and every unedited
draft (curated documents and test reports) is accepted."""

from __future__ import annotations

import pytest

from cityscience.report.evaluate import GOALS, evaluate_documents, evaluate_reports, goals_met
from reports import FOLDER, shipped_data


@pytest.fixture(scope="module")
def scores(tmp_path_factory):
    return evaluate_documents(shipped_data(tmp_path_factory.mktemp("shipped")))


def test_leave_one_out_meets_the_goals(scores):
    overall = scores[-1]
    assert overall.document == "overall" and overall.pairs == sum(s.pairs for s in scores[:-1])
    met = goals_met(overall)
    assert all(met.values()), {k: (overall, GOALS[k]) for k, ok in met.items() if not ok}


def test_every_unedited_draft_is_accepted(scores, tmp_path):
    assert [(s.document, s.note) for s in scores if not s.accepted] == []
    reports = evaluate_reports(FOLDER, shipped_data(tmp_path))  # the test reports, added to the data as shipped
    assert [(s.document, s.note) for s in reports if not s.accepted] == []
    assert reports[-1].fields == reports[-1].field_total  # every field of the test reports' rows as curated


def test_a_malformed_fact_table_is_reported_with_its_file_and_lines(tmp_path):
    from cityscience.problems import ValidationError

    (tmp_path / "manifest.csv").write_text((FOLDER / "manifest.csv").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "facts.csv").write_text("file,evidence\nx.txt\n", encoding="utf-8")
    with pytest.raises(ValidationError) as raised:
        evaluate_reports(tmp_path)
    missing = {p.column for p in raised.value.problems if (p.line, p.check) == (1, "missing_column")}
    assert missing == {"indicator", "status", "measure", "qualifier", "unit", "year", "value"}
    assert [(p.line, p.check) for p in raised.value.problems if p.column not in missing] == [(2, "field_count")]
    assert all(p.file.endswith("facts.csv") for p in raised.value.problems)


def test_a_policy_item_is_found_where_its_evidence_starts_and_whole_where_it_ends_too():
    from cityscience.report.evaluate import Score, _compare_items

    text = "一、工作\n(一)建设孵化器。新建3家。\n(二)引进人才。引进86名。\n(三)优化服务。\n"
    curated = [{"evidence": "(一)建设孵化器。新建3家。", "theme": "platforms"},
               {"evidence": "(二)引进人才。引进86名。", "theme": "talent"},
               {"evidence": "(三)优化服务。", "theme": "services"}]
    drafted = [{"evidence": "(一)建设孵化器。新建3家。", "theme": "platforms"},  # the same item
               {"evidence": "(二)引进人才。", "theme": "platforms"},  # starts there, ends early, other theme
               {"evidence": "优化服务。", "theme": "services"}]  # starts elsewhere: not found
    score = Score("doc")
    _compare_items(score, drafted, curated, text)
    assert (score.items, score.items_found, score.items_whole, score.themes_right) == (3, 2, 1, 1)


def test_the_table_says_what_stopped_an_unedited_draft():
    """A draft accept refuses is counted and its first problem shown under the table, not only 'no (1 problems)'."""
    from cityscience.report.evaluate import Score, table

    refused = Score("fenghua-2024-summary", problems=1, note="data/raw/fenghua.txt: not named by sources.csv")
    text = table([refused, Score("cixi-2024-summary", accepted=True)])
    lines = text.splitlines()
    assert lines[1].endswith("no (1 problem)") and lines[2].endswith("yes")
    assert lines[-1] == "  fenghua-2024-summary: the first problem: data/raw/fenghua.txt: not named by sources.csv"
    assert "first problem" not in table([Score("cixi-2024-summary", accepted=True)])
