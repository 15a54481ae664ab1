"""URLs of the heritage app, mounted at /heritage/ (coop/urls.py)."""

from django.urls import path  # noqa: F401 - the app's views are added here

app_name = "heritage"

urlpatterns: list = []
