"""Policy priorities: who is responsible for what, and which words each document stresses.

Curated tables (``data/measures.csv``, ``data/bodies.csv``, ``data/terms.csv``,
``data/text_parts.csv``, ``data/stopwords.txt``; see ``docs/policy-measures.md``)::

    from cityscience import policy
    measures = policy.load_measures()        # every numbered task/measure, with units and evidence
    units = policy.load_units()              # the responsible bodies, one name each
    policy.term_frequencies(by="source")     # curated terms per 10,000 characters
"""

from .analysis import ACTION_KINDS, responsibility_matrix, theme_mix, theme_shift
from .measures import (
    check_policy,
    load_measures,
    load_stopwords,
    load_terms,
    load_text_parts,
    load_units,
    terms_version,
)
from .terms import (
    count_terms,
    han_characters,
    segment,
    term_frequencies,
    term_occurrences,
    user_dictionary,
    word_frequencies,
)

__all__ = [
    "ACTION_KINDS",
    "check_policy",
    "count_terms",
    "han_characters",
    "load_measures",
    "load_stopwords",
    "load_terms",
    "load_text_parts",
    "load_units",
    "responsibility_matrix",
    "segment",
    "term_frequencies",
    "term_occurrences",
    "terms_version",
    "theme_mix",
    "theme_shift",
    "user_dictionary",
    "word_frequencies",
]
