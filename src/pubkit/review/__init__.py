"""Medical review as a record: who signed an article off, when, on which text, and what follows.

:mod:`~pubkit.review.record` works out an article's review state for a given
day, :mod:`~pubkit.review.policy` decides what publishing does with it,
:mod:`~pubkit.review.stamp` hashes the reviewed text and
:mod:`~pubkit.review.approve` writes a sign-off into the front matter.
Nothing here reads the clock: the day is always passed in.
"""
