"""Writes to the member register. Other apps call these, never the models directly."""

from members.services.categories import CategoryData, category_save
from members.services.colleges import (
    CollegeDraft,
    categories_missing_compulsory,
    colleges_configure,
    colleges_validate,
)
from members.services.contact import (
    CONTACT_FIELDS,
    SELF_EDITABLE_FIELDS,
    member_set_e_notices,
    member_update_contact,
)
from members.services.events import SNAPSHOT_FIELDS, member_snapshot, register_event_record
from members.services.invitation import (
    Admission,
    Invitation,
    InvitationOutcome,
    application_admit,
    application_reject,
    application_submit,
    member_invite,
)
from members.services.lifecycle import (
    ApplicationData,
    member_admit,
    member_apply,
    member_exit,
    member_move_college,
    member_reject,
    members_ratify,
)

__all__ = [
    "CONTACT_FIELDS",
    "SELF_EDITABLE_FIELDS",
    "SNAPSHOT_FIELDS",
    "Admission",
    "ApplicationData",
    "CategoryData",
    "CollegeDraft",
    "Invitation",
    "InvitationOutcome",
    "application_admit",
    "application_reject",
    "application_submit",
    "categories_missing_compulsory",
    "category_save",
    "colleges_configure",
    "colleges_validate",
    "member_admit",
    "member_apply",
    "member_exit",
    "member_invite",
    "member_move_college",
    "member_reject",
    "member_set_e_notices",
    "member_snapshot",
    "member_update_contact",
    "members_ratify",
    "register_event_record",
]
