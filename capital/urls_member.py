"""URL patterns of the capital member pages (namespace "capital", see capital/urls.py)."""

urlpatterns: list = []
