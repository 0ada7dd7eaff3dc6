"""cityscience: source-traced S&T indicators of four Zhejiang jurisdictions.

Load the curated tables as validated, typed pandas DataFrames::

    import cityscience as cs
    obs = cs.load_observations()          # one row per value, with its evidence
    cs.raw_text("ningbo-2014-summary")    # the sentence behind any value
"""

from .compare import coverage, derive_previous_levels, latest, wide
from .consistency import consistency_flags
from .extract import extract
from .load import (
    load_exclusions,
    load_indicators,
    load_measurement_units,
    load_observations,
    load_regions,
    load_sources,
    load_vocabularies,
    raw_text,
)
from .policy import load_measures, load_units, term_frequencies
from .problems import Problem, ValidationError
from .provenance import cite

__version__ = "0.1.0"

__all__ = [
    "Problem",
    "ValidationError",
    "cite",
    "consistency_flags",
    "coverage",
    "derive_previous_levels",
    "extract",
    "latest",
    "load_exclusions",
    "load_indicators",
    "load_measures",
    "load_measurement_units",
    "load_observations",
    "load_regions",
    "load_sources",
    "load_units",
    "load_vocabularies",
    "raw_text",
    "term_frequencies",
    "wide",
]
