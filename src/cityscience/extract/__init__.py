"""Extraction: propose every quantitative fact of a new report as a candidate observation row.

Adding a city or a year becomes a review job instead of a retyping job::

    from cityscience.extract import extract
    df = extract("data/raw/new-report.txt", region="ningbo", year=2015)

Each row has the observations' columns (value, unit, qualifier, status,
measure, year, label_zh, evidence) plus the offsets of the evidence in the
original text and the reasons behind each choice. The parts of the report
(summary, plan, page chrome) are detected, or given with ``parts=`` (see
:func:`parse_parts`). See
``docs/adding-a-new-report.md`` for the whole workflow and
:mod:`cityscience.extract.evaluate` for precision and recall against the
curated observations.
"""

import sys
import types

from .core import CANDIDATE_COLUMNS, extract
from .parallel import extract_many
from .reading import ExtractError, read_report
from .review import write_review
from .structure import PART_KINDS, PartsError, PartSpec, parse_parts

__all__ = ["CANDIDATE_COLUMNS", "PART_KINDS", "ExtractError", "PartSpec", "PartsError", "extract", "extract_many",
           "parse_parts", "read_report", "write_review"]


class _ExtractPackage(types.ModuleType):
    """This subpackage, callable as :func:`extract`.

    ``cityscience.extract`` names both this subpackage and the function: once the subpackage is
    imported, Python binds the name on ``cityscience`` to the module, so ``cs.extract(...)`` calls the
    module and is forwarded here, whatever was imported first.
    """

    def __call__(self, *args, **kwargs):
        return extract(*args, **kwargs)


sys.modules[__name__].__class__ = _ExtractPackage
