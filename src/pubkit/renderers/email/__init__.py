"""Email: the article or a newsletter as a MIME message with HTML and plain-text parts."""
