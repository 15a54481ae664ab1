"""Models of the governance app (see DESIGN.md)."""
