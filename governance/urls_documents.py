"""URL patterns of the assembly's documents and written questions (namespace "governance",
see governance/urls.py)."""

from django.urls import path

from governance.views import documents

urlpatterns: list = [
    path(
        "<int:pk>/documents/<int:document_pk>.pdf",
        documents.document_download,
        name="document_download",
    ),
    path("<int:pk>/questions/", documents.question_ask, name="question_ask"),
    path("manage/<int:pk>/documents/add/", documents.manage_document_add, name="document_add"),
    path(
        "manage/<int:pk>/documents/<int:document_pk>/remove/",
        documents.manage_document_remove,
        name="document_remove",
    ),
    path(
        "manage/<int:pk>/questions/record/",
        documents.manage_question_record,
        name="question_record",
    ),
    path(
        "manage/<int:pk>/questions/<int:question_pk>/answer/",
        documents.manage_question_answer,
        name="question_answer",
    ),
]
