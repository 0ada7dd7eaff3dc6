"""The table registry (codebook/tables.csv + columns.csv) drives validation, loading, export and import."""

from __future__ import annotations

import shutil

import pytest

import cityscience as cs
from cityscience.paths import data_dir
from cityscience.validate import check


@pytest.fixture()
def data(tmp_path):
    root = tmp_path / "data"
    shutil.copytree(data_dir(), root)
    return root


def _append(path, line):
    text = path.read_text(encoding="utf-8")
    path.write_text(text + ("" if text.endswith("\n") else "\n") + line + "\n", encoding="utf-8")


def test_every_table_has_a_file_a_spec_and_only_known_dependencies():
    registry = check().registry
    assert registry.tables, "codebook/tables.csv lists no table"
    for table in registry:
        assert table.columns, table.name
        assert set(table.key) <= set(table.column_names), table.name
        assert all(table.files(data_dir())) or not table.required, table.name
    deps = registry.dependencies(["observations"])
    assert {"observations", "sources", "regions", "indicators", "units", "vocabularies", "raw"} <= deps
    assert "terms" not in deps and "policy_items" not in deps


def test_the_workbook_sheets_follow_the_registry():
    from cityscience.export.workbook import build_workbook

    tables = check().registry.workbook_tables()
    wb, _ = build_workbook(lang="en")
    from cityscience.export.labels import sheet_name

    positions = [wb.sheetnames.index(sheet_name(t.name, "en")) for t in tables]
    assert positions == sorted(positions)


def test_a_duplicate_key_is_refused_for_any_table_the_registry_keys(data):
    """exclusions has no checker of its own for duplicates: its key in tables.csv is enough."""
    first = (data / "exclusions.csv").read_text(encoding="utf-8").split("\n")[1]
    _append(data / "exclusions.csv", first)
    [p] = [p for p in check(data).problems if p.check == "duplicate_key"]
    assert p.table == "exclusions" and p.file == "data/exclusions.csv" and p.other == ("data/exclusions.csv", 2)
    assert str(p).endswith("(also on line 2) [duplicate_key]")


def test_registry_inconsistencies_are_reported_with_their_place(data):
    _append(data / "codebook" / "columns.csv", "ghosts,ghost,string,yes,,A column of a table nobody listed.")
    tables = data / "codebook" / "tables.csv"
    tables.write_text(tables.read_text(encoding="utf-8").replace(
        "regions,regions.csv,csv,yes,region,", "regions,regions.csv,csv,yes,region_code,"), encoding="utf-8")
    cols = data / "codebook" / "columns.csv"
    cols.write_text(cols.read_text(encoding="utf-8").replace(
        "sources,region,category,yes,regions.region,", "sources,region,category,yes,districts.region,"),
        encoding="utf-8")
    found = {(p.check, p.value) for p in check(data).problems if p.table == "codebook"}
    assert ("unknown_reference", "ghosts") in found
    assert ("unknown_reference", "region_code") in found
    assert ("unknown_reference", "districts.region") in found


def test_a_new_table_is_checked_from_its_rows_of_the_codebook(data):
    """Adding a table is a change of data: its types, references and key are checked like any other."""
    _append(data / "codebook" / "tables.csv", "aliases,region_aliases.csv,csv,no,alias,,,Other names of regions.")
    _append(data / "codebook" / "columns.csv", "aliases,alias,string,yes,,An alias.")
    _append(data / "codebook" / "columns.csv", "aliases,region,category,yes,regions.region,The region.")
    (data / "region_aliases.csv").write_text("alias,region\n甬,ningbo\n杭,hangzou\n甬,ningbo\n", encoding="utf-8")
    found = {(p.check, p.value, p.line) for p in check(data).problems}
    assert ("unknown_reference", "hangzou", 3) in found
    assert ("duplicate_key", "甬", 4) in found
    assert check(data).registry.dependencies(["aliases"]) >= {"aliases", "regions"}


def test_loaders_type_a_table_from_its_registry_entry():
    regions = cs.load_regions()
    spec = check().registry["regions"]
    assert list(regions.columns) == spec.column_names
    assert str(regions["admin_level"].dtype) == "category"
