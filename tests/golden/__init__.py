"""Golden outputs of the sample site; regenerate with ``make golden``."""
