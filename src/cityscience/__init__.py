"""cityscience: source-traced S&T indicators of Zhejiang jurisdictions.

Load the curated tables as validated, typed pandas DataFrames::

    import cityscience as cs
    obs = cs.load_observations()          # one row per value, with its evidence
    cs.raw_text("ningbo-2014-summary")    # the sentence behind any value
"""

from .compare import (
    IncomparableError,
    check_comparable,
    comparability_table,
    comparisons,
    coverage,
    derive_previous_levels,
    describe_difference,
    describe_related,
    describe_variant,
    latest,
    related_levels,
    target_pairs,
    variants,
    wide,
    with_comparability,
)
from .consistency import consistency_flags
from .conventions import VERSION
from .load import (
    load_bodies,
    load_exclusions,
    load_indicators,
    load_measurement_units,
    load_measures,
    load_observations,
    load_policy_items,
    load_regions,
    load_sources,
    load_stopwords,
    load_terms,
    load_text_parts,
    load_units,
    load_vocabularies,
    raw_text,
    terms_version,
)
from .problems import Problem, ValidationError
from .provenance import cite
from .select import select

__version__ = VERSION

__all__ = [
    "IncomparableError",
    "Problem",
    "ValidationError",
    "check_comparable",
    "cite",
    "comparability_table",
    "comparisons",
    "consistency_flags",
    "coverage",
    "derive_previous_levels",
    "describe_difference",
    "describe_related",
    "describe_variant",
    "extract",
    "latest",
    "load_bodies",
    "load_exclusions",
    "load_indicators",
    "load_measurement_units",
    "load_measures",
    "load_observations",
    "load_policy_items",
    "load_regions",
    "load_sources",
    "load_stopwords",
    "load_terms",
    "load_text_parts",
    "load_units",
    "load_vocabularies",
    "raw_text",
    "related_levels",
    "select",
    "target_pairs",
    "term_frequencies",
    "terms_version",
    "variants",
    "wide",
    "with_comparability",
]


def __getattr__(name: str):
    """``cs.extract`` and ``cs.term_frequencies`` (OpenCC, jieba) and ``cs.charts`` (matplotlib) are imported
    on first use; a chart function asked for here (``cs.save_figure``) gets an error naming ``cs.charts``."""
    import importlib

    if name == "extract":  # the subpackage, callable as its function extract (see cityscience.extract)
        return importlib.import_module(".extract", __name__)
    if name == "charts":  # matplotlib and seaborn are loaded only when a chart is wanted
        return importlib.import_module(".charts", __name__)
    if name == "term_frequencies":
        from .policy import term_frequencies

        return term_frequencies
    if not name.startswith("_"):  # a chart function asked for at the top: say where it is
        charts = importlib.import_module(".charts", __name__)
        if name in charts.__all__:
            raise AttributeError(f"module 'cityscience' has no attribute {name!r}: the chart functions are in "
                                 f"cityscience.charts (cs.charts.{name}, or from cityscience.charts import {name})")
    raise AttributeError(f"module 'cityscience' has no attribute {name!r}")
