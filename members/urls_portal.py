"""URL patterns of the portal pages (namespace "members", see members/urls.py)."""

urlpatterns: list = []
