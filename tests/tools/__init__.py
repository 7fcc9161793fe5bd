"""The third-party programs the acceptance tests drive, and the project's own readers of their results.

Not a test module: each module here wraps one tool (or one family of
tools) in a few small functions, so every test runs it the same way:
found by name or failing by name, offline, with a time limit.
``scripts/setup.sh test`` (run by ``make test``) installs all of them.
"""
