"""URL patterns of the assemblies' desk (administrators; namespace "governance", see
governance/urls.py): preparing, convening, proving, printing, cancelling."""

from django.urls import path

from governance.views import agenda, assemblies, convocation, letters

urlpatterns: list = [
    path("manage/", assemblies.manage, name="manage"),
    path("manage/new/", assemblies.manage_create, name="manage_create"),
    path("manage/<int:pk>/", assemblies.manage_detail, name="manage_detail"),
    path("manage/<int:pk>/edit/", assemblies.manage_edit, name="manage_edit"),
    path("manage/<int:pk>/items/add/", agenda.manage_item_add, name="manage_item_add"),
    path(
        "manage/<int:pk>/items/<int:item_pk>/edit/",
        agenda.manage_item_edit,
        name="manage_item_edit",
    ),
    path(
        "manage/<int:pk>/items/<int:item_pk>/move/",
        agenda.manage_item_move,
        name="manage_item_move",
    ),
    path(
        "manage/<int:pk>/items/<int:item_pk>/remove/",
        agenda.manage_item_remove,
        name="manage_item_remove",
    ),
    path(
        "manage/<int:pk>/resolutions/add/",
        agenda.manage_resolution_add,
        name="manage_resolution_add",
    ),
    path(
        "manage/<int:pk>/resolutions/<int:resolution_pk>/edit/",
        agenda.manage_resolution_edit,
        name="manage_resolution_edit",
    ),
    path(
        "manage/<int:pk>/resolutions/<int:resolution_pk>/move/",
        agenda.manage_resolution_move,
        name="manage_resolution_move",
    ),
    path(
        "manage/<int:pk>/resolutions/<int:resolution_pk>/remove/",
        agenda.manage_resolution_remove,
        name="manage_resolution_remove",
    ),
    path("manage/<int:pk>/convene/", convocation.manage_convene, name="manage_convene"),
    path("manage/<int:pk>/cancel/", convocation.manage_cancel, name="manage_cancel"),
    path("manage/<int:pk>/second/", convocation.manage_second, name="manage_second"),
    path("manage/<int:pk>/proof/", convocation.manage_proof, name="manage_proof"),
    path("manage/<int:pk>/proof.csv", convocation.manage_proof_csv, name="manage_proof_csv"),
    path("manage/<int:pk>/letters.pdf", convocation.manage_letters, name="manage_letters"),
    path(
        "manage/<int:pk>/cancellation-letters.pdf",
        convocation.manage_cancellation_letters,
        name="manage_cancellation_letters",
    ),
    path(
        "manage/<int:pk>/letters/<int:entry_pk>.pdf",
        convocation.manage_letter,
        name="manage_letter",
    ),
    path(
        "manage/<int:pk>/letters/<int:entry_pk>/",
        letters.manage_letter_options,
        name="manage_letter_options",
    ),
]
