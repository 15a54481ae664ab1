"""URL patterns of the register pages (namespace "members", see members/urls.py)."""

urlpatterns: list = []
