"""Models of the capital app (see DESIGN.md)."""
