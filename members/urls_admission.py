"""URL patterns of the admission pages (namespace "members", see members/urls.py)."""

urlpatterns: list = []
