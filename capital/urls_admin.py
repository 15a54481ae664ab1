"""URL patterns of the capital admin pages (namespace "capital", see capital/urls.py)."""

urlpatterns: list = []
