"""Whole-site builds: incremental, parallel, crash-safe.

``plan`` decides from the manifest and file hashes alone what must be
rendered (so a build with nothing to do imports no engine); an executor runs
the renders in worker processes that return bytes; the runner in the main
process alone writes outputs, then the manifest, through :mod:`pubkit.output`.
"""
