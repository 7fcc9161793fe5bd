"""Reading level and plain language of an article's body prose, computed offline.

:mod:`~pubkit.readability.measure` gives the figures per article and section,
:mod:`~pubkit.readability.wordlist` finds hard words, and
:mod:`~pubkit.readability.report` turns both into diagnostics and JSON for
``pubkit check``.
"""
