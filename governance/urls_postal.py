"""URL patterns of the paper path (namespace "governance", see governance/urls.py)."""

from django.urls import path

from governance.views import postal

urlpatterns: list = [
    path("<int:pk>/postal/", postal.index, name="postal"),
    path("<int:pk>/postal/form/", postal.postal_form_new, name="postal_form_new"),
    path("<int:pk>/postal/proxy/", postal.paper_proxy_new, name="paper_proxy_new"),
]
