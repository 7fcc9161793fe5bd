"""pubkit: one Markdown article, published as HTML, PDF, DOCX and email."""

__version__ = "0.1.0"
