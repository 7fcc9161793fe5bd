"""``pubkit newsletter``: not built yet (see the open issues)."""
