"""The printed handout: the article as print HTML, laid out by WeasyPrint."""
