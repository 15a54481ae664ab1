"""The register's notices and its people in words, for the outbox pages (coop.outbox.labels)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coop.outbox.labels import int_ids, register_key, register_kind
from members.models import Member
from members.services.invitation import APPLICATION_NOTICE, INVITATION_NOTICE, REJECTION_NOTICE


def member_text(member: Member) -> str:
    if member.number is None:
        return _("applicant %(name)s") % {"name": member.display_name}
    return _("member no. %(number)s, %(name)s") % {
        "number": member.number,
        "name": member.display_name,
    }


def _members(ids: list[str]) -> dict[str, str]:
    return {str(m.pk): member_text(m) for m in Member.objects.filter(pk__in=int_ids(ids))}


def register() -> None:
    register_kind(APPLICATION_NOTICE, gettext_lazy("acknowledgement of an application"))
    register_kind(INVITATION_NOTICE, gettext_lazy("invitation to open an account"))
    register_kind(REJECTION_NOTICE, gettext_lazy("rejection of an application"))
    register_key("member", _members)
