"""Sending newsletters: recipients, the delivery ledger, SMTP."""
