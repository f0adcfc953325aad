"""Deliver rendered documents: files, ledger, SMTP."""
