"""URL patterns of the portal pages (namespace "members", see members/urls.py)."""

from django.urls import path

from members.views import portal

urlpatterns: list = [
    path("me/", portal.me, name="me"),
    path("me/edit/", portal.me_edit, name="me_edit"),
    path("me/notices/", portal.me_notices, name="me_notices"),
    path("me/personal-data.json", portal.me_data, name="me_data"),
]
