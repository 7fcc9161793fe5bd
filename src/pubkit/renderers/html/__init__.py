"""The web page: an HTML5 document per article, and the HTML writer the other formats share."""
