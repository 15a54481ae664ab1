"""URL patterns of the transfer pages (namespace "members", see members/urls.py)."""

from django.urls import path

from members.views import transfer

urlpatterns: list = [
    path("register/export/", transfer.register_export, name="register_export"),
    path("register/import/", transfer.register_import_page, name="register_import"),
    path("register/import/template.csv", transfer.import_template, name="import_template"),
]
