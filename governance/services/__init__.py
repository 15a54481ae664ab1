"""Writes of the governance app: each module owns one part of the assembly's life."""
