"""Policy priorities: which themes the documents' items stress, who answers for them, which words recur.

The policy tables (``data/policy_items.csv``, ``data/bodies.csv``,
``data/terms.csv``, ``data/text_parts.csv``, ``data/stopwords.txt``; see
``docs/policy-items.md``) are validated and loaded like every other table
(:func:`cityscience.load_policy_items`, :func:`cityscience.load_bodies`, …);
this package holds the analysis of them::

    import cityscience as cs
    from cityscience import policy
    items = cs.load_policy_items()           # every numbered task/measure, with bodies and evidence
    policy.theme_mix(items, by="source")     # items per theme and document
    policy.term_frequencies(by="source")     # curated terms per 10,000 characters
"""

from .analysis import (
    ACTION_KINDS,
    most_assigned_source,
    responsibility_matrix,
    theme_mix,
    theme_shift,
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
    "count_terms",
    "han_characters",
    "most_assigned_source",
    "responsibility_matrix",
    "segment",
    "term_frequencies",
    "term_occurrences",
    "theme_mix",
    "theme_shift",
    "user_dictionary",
    "word_frequencies",
]
