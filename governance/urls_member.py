"""URL patterns of the member's side (namespace "governance", see governance/urls.py)."""

from django.urls import path

from governance.views import member

urlpatterns: list = [
    path("", member.my_assemblies, name="my_assemblies"),
    path("<int:pk>/", member.detail, name="detail"),
    path("<int:pk>/proxy/", member.proxy_give_view, name="proxy_give"),
    path("<int:pk>/proxy/revoke/", member.proxy_revoke_view, name="proxy_revoke"),
]
