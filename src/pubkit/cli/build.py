"""``pubkit build``: not built yet (see the open issues)."""
