"""The assemblies' notices in words, for the outbox pages (coop.outbox.labels)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coop.outbox.labels import int_ids, register_key, register_kind
from governance.models import Assembly, Proxy, RollEntry
from governance.services.convocation import CANCELLATION_NOTICE, CONVOCATION_NOTICE
from governance.services.proxy_notices import (
    HOLDER_VOTED_NOTICE,
    PROXY_NOTICE,
    PROXY_REVOKED_NOTICE,
)
from governance.services.reminders import REMINDER_NOTICE
from governance.services.voting import RESULTS_NOTICE


def _assemblies(ids: list[str]) -> dict[str, str]:
    return {str(a.pk): a.title for a in Assembly.objects.filter(pk__in=int_ids(ids))}


def _proxies(ids: list[str]) -> dict[str, str]:
    proxies = Proxy.objects.filter(pk__in=int_ids(ids)).select_related("assembly")
    return {
        str(p.pk): _("a proxy for %(assembly)s") % {"assembly": p.assembly.title} for p in proxies
    }


def _roll_entries(ids: list[str]) -> dict[str, str]:
    entries = RollEntry.objects.filter(pk__in=int_ids(ids)).select_related("assembly")
    return {
        str(e.pk): _("member no. %(number)s, %(name)s, for %(assembly)s")
        % {"number": e.member_number, "name": e.name, "assembly": e.assembly.title}
        for e in entries
    }


def register() -> None:
    register_kind(CONVOCATION_NOTICE, gettext_lazy("convocation to an assembly"))
    register_kind(CANCELLATION_NOTICE, gettext_lazy("cancellation of an assembly"))
    register_kind(REMINDER_NOTICE, gettext_lazy("reminder of an assembly"))
    register_kind(RESULTS_NOTICE, gettext_lazy("results of an assembly"))
    register_kind(PROXY_NOTICE, gettext_lazy("proxy given for an assembly"))
    register_kind(PROXY_REVOKED_NOTICE, gettext_lazy("proxy revoked for an assembly"))
    register_kind(HOLDER_VOTED_NOTICE, gettext_lazy("vote cast by a proxy holder"))
    register_key("assembly", _assemblies)
    register_key("proxy", _proxies)
    register_key("roll-entry", _roll_entries)
