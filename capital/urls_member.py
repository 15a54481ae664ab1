"""URL patterns of the capital member pages (namespace "capital", see capital/urls.py)."""

from django.urls import path

from capital.views import member

urlpatterns = [
    path("me/", member.me, name="me"),
    path("me/statement/", member.me_statement, name="me_statement"),
    path("certificate/<int:movement_pk>.pdf", member.certificate, name="certificate"),
]
