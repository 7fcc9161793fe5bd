"""The Word document: the article as WordprocessingML, starting from the reference document."""
