"""Adding a report in one review pass: ``add-report`` drafts every table's rows, ``accept`` applies them.

:func:`draft` reads a report and drafts its rows (:mod:`.draft`, with codes
and exclusion reasons from :mod:`.suggest`); :func:`write_workbook` writes the
review workbook; :func:`accept` applies a reviewed workbook to the data folder
after validating the result, or changes nothing. :mod:`.evaluate` measures
the drafts on the curated documents (leave one document out).
"""

from .accept import Accepted, AcceptError, accept
from .draft import Draft, ReportError, draft
from .workbook import read_review, write_workbook

__all__ = ["AcceptError", "Accepted", "Draft", "ReportError", "accept", "draft", "read_review", "write_workbook"]
