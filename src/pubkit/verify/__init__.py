"""``pubkit verify``: is every word of each article in every output built from it?

The expectation comes from the model (:mod:`.expected`), never from another
renderer's output; each format's text is read back from the file on disk by
one extractor (:mod:`.extract`); :mod:`.compare` matches the two.  Engines
(lxml, PDFium, the email parser) load only when a command verifies.
"""
