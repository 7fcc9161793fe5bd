"""The renderers: one package per output format, each walking the document tree.

Which formats exist, and the facts about each, are declared in
:mod:`pubkit.formats`; a renderer module is imported only when its format
renders, so heavy engines (WeasyPrint, python-docx) load only when needed.
"""
