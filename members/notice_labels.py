"""The register's notices and its people in words, for the outbox pages (coop.outbox.labels)."""

import datetime as dt

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coop.outbox.labels import int_ids, register_key, register_kind
from members.letters import ADMISSION_NOTICE, EXIT_NOTICE
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


def _decision_days(ids: list[str]) -> dict[str, str]:
    """The admission and exit notices of one decision day: "decided on 7 December 2026"."""
    days = {}
    for text in ids:
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            continue
        days[text] = _("decided on %(day)s") % {"day": date_format(day, "DATE_FORMAT")}
    return days


def register() -> None:
    register_kind(APPLICATION_NOTICE, gettext_lazy("acknowledgement of an application"))
    register_kind(INVITATION_NOTICE, gettext_lazy("invitation to open an account"))
    register_kind(REJECTION_NOTICE, gettext_lazy("rejection of an application"))
    register_kind(ADMISSION_NOTICE, gettext_lazy("admission to the cooperative"))
    register_kind(EXIT_NOTICE, gettext_lazy("exit from the cooperative"))
    register_key("member", _members)
    register_key(ADMISSION_NOTICE, _decision_days)
    register_key(EXIT_NOTICE, _decision_days)
