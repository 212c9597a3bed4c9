"""Alerts: the seam where finished runs become messages to people (channels fill it in)."""
