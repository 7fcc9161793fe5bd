"""What ``pubkit serve`` shows besides the built files: the dashboard and its thumbnails."""
