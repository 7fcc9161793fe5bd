"""``pubkit preview``: not built yet (see the open issues)."""
