"""URL patterns of the transfer pages (namespace "members", see members/urls.py)."""

urlpatterns: list = []
