"""Exports for policy writers: the Excel workbook, chart packs, and the import of an edited workbook.

``cityscience export xlsx``, ``cityscience export figures`` and
``cityscience import-xlsx`` are thin commands over :mod:`.workbook`,
:mod:`.figures` and :mod:`.merge`; openpyxl is imported only by these modules.
"""
