"""``pubkit send``: not built yet (see the open issues)."""
