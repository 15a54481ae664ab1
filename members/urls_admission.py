"""URL patterns of the admission pages (namespace "members", see members/urls.py)."""

from django.urls import path

from members.views import admission, apply

urlpatterns = [
    path("apply/", apply.apply, name="apply"),
    path("apply/thanks/", apply.apply_done, name="apply_done"),
    path("applications/", admission.applications, name="applications"),
    path("applications/<int:pk>/", admission.application_detail, name="application"),
    path(
        "applications/<int:pk>/admit/",
        admission.application_admit_view,
        name="application_admit",
    ),
    path(
        "applications/<int:pk>/reject/",
        admission.application_reject_view,
        name="application_reject",
    ),
    path(
        "applications/<int:pk>/admitted/",
        admission.application_admitted,
        name="application_admitted",
    ),
    path("ratification/", admission.ratify, name="ratify"),
]
