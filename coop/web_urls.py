"""The cooperative's own administrative pages (statutes, notices, audit log)."""

from django.urls import path

from coop.views import audit, outbox, statutes

app_name = "coop"

urlpatterns = [
    path("statutes/", statutes.statutes_index, name="statutes"),
    path("statutes/new/", statutes.statutes_create, name="statutes_create"),
    path("statutes/<int:pk>/", statutes.statutes_detail, name="statutes_detail"),
    path("notices/", outbox.outbox_index, name="outbox"),
    path("notices/<int:pk>/", outbox.outbox_notice, name="outbox_notice"),
    path("notices/<int:pk>/proof/", outbox.outbox_notice_csv, name="outbox_notice_csv"),
    path(
        "notices/<int:pk>/letters-posted/",
        outbox.outbox_letters_posted,
        name="outbox_letters_posted",
    ),
    path(
        "notices/<int:pk>/letters-print/",
        outbox.outbox_letters_print,
        name="outbox_letters_print",
    ),
    path(
        "notices/deliveries/<int:pk>/requeue/",
        outbox.outbox_delivery_requeue,
        name="outbox_delivery_requeue",
    ),
    path("audit/", audit.audit_index, name="audit"),
]
