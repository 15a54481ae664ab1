"""The gatherings' notices in words, for the outbox pages (coop.outbox.labels)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coop.outbox.labels import int_ids, register_key, register_kind
from heritage.models import Gathering, HeritageCommunity, Registration
from heritage.services import notices
from heritage.services.guest_lookup import GUEST_LOOKUP


def _gatherings(ids: list[str]) -> dict[str, str]:
    return {str(g.pk): g.title for g in Gathering.objects.filter(pk__in=int_ids(ids))}


def _registrations(ids: list[str]) -> dict[str, str]:
    registrations = Registration.objects.filter(pk__in=int_ids(ids)).select_related("gathering")
    return {
        str(r.pk): _("a registration for %(gathering)s") % {"gathering": r.gathering.title}
        for r in registrations
    }


def _communities(ids: list[str]) -> dict[str, str]:
    return {str(c.pk): c.name for c in HeritageCommunity.objects.filter(pk__in=int_ids(ids))}


def register() -> None:
    for kind, label in [
        (notices.GUEST_VERIFY, gettext_lazy("check of a guest's e-mail address")),
        (notices.REGISTRATION_CONFIRMED, gettext_lazy("registration confirmed")),
        (notices.REGISTRATION_WAITING, gettext_lazy("registration on the waiting list")),
        (notices.SEAT_OFFERED, gettext_lazy("seat offered from the waiting list")),
        (notices.OFFER_LAPSED, gettext_lazy("seat offer lapsed")),
        (notices.GATHERING_PUBLISHED, gettext_lazy("new gathering")),
        (notices.GATHERING_CHANGED, gettext_lazy("gathering changed")),
        (notices.GATHERING_CANCELLED, gettext_lazy("gathering cancelled")),
        (notices.GATHERING_REMINDER, gettext_lazy("reminder of a gathering")),
        (notices.PARTICIPANT_VERIFY, gettext_lazy("check of a participant's e-mail address")),
        (GUEST_LOOKUP, gettext_lazy("a guest's registrations")),
    ]:
        register_kind(kind, label)
    register_key("gathering", _gatherings)
    register_key("registration", _registrations)
    register_key("community", _communities)
