"""Pages of the governance app."""
