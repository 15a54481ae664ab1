"""Models of the heritage app (see DESIGN.md)."""
