"""URL patterns of the assemblies' desk (administrators; namespace "governance", see
governance/urls.py): preparing, convening, proving, printing, cancelling."""

from django.urls import path

from governance.views import admin, letters

urlpatterns: list = [
    path("manage/", admin.manage, name="manage"),
    path("manage/new/", admin.manage_create, name="manage_create"),
    path("manage/<int:pk>/", admin.manage_detail, name="manage_detail"),
    path("manage/<int:pk>/edit/", admin.manage_edit, name="manage_edit"),
    path("manage/<int:pk>/items/add/", admin.manage_item_add, name="manage_item_add"),
    path(
        "manage/<int:pk>/items/<int:item_pk>/edit/",
        admin.manage_item_edit,
        name="manage_item_edit",
    ),
    path(
        "manage/<int:pk>/items/<int:item_pk>/move/",
        admin.manage_item_move,
        name="manage_item_move",
    ),
    path(
        "manage/<int:pk>/items/<int:item_pk>/remove/",
        admin.manage_item_remove,
        name="manage_item_remove",
    ),
    path(
        "manage/<int:pk>/resolutions/add/",
        admin.manage_resolution_add,
        name="manage_resolution_add",
    ),
    path(
        "manage/<int:pk>/resolutions/<int:resolution_pk>/edit/",
        admin.manage_resolution_edit,
        name="manage_resolution_edit",
    ),
    path(
        "manage/<int:pk>/resolutions/<int:resolution_pk>/move/",
        admin.manage_resolution_move,
        name="manage_resolution_move",
    ),
    path(
        "manage/<int:pk>/resolutions/<int:resolution_pk>/remove/",
        admin.manage_resolution_remove,
        name="manage_resolution_remove",
    ),
    path("manage/<int:pk>/convene/", admin.manage_convene, name="manage_convene"),
    path("manage/<int:pk>/cancel/", admin.manage_cancel, name="manage_cancel"),
    path("manage/<int:pk>/second/", admin.manage_second, name="manage_second"),
    path("manage/<int:pk>/proof/", admin.manage_proof, name="manage_proof"),
    path("manage/<int:pk>/proof.csv", admin.manage_proof_csv, name="manage_proof_csv"),
    path("manage/<int:pk>/letters.pdf", admin.manage_letters, name="manage_letters"),
    path(
        "manage/<int:pk>/cancellation-letters.pdf",
        admin.manage_cancellation_letters,
        name="manage_cancellation_letters",
    ),
    path(
        "manage/<int:pk>/letters/<int:entry_pk>.pdf",
        admin.manage_letter,
        name="manage_letter",
    ),
    path(
        "manage/<int:pk>/letters/<int:entry_pk>/",
        letters.manage_letter_options,
        name="manage_letter_options",
    ),
]
