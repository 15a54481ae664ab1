"""Reads of the governance app."""
