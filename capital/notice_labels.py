"""Share certificates in words, for the outbox pages (coop.outbox.labels)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from capital.models import ShareMovement
from capital.selectors import CERTIFICATE_NOTICE
from coop.outbox.labels import int_ids, register_key, register_kind


def _movements(ids: list[str]) -> dict[str, str]:
    return {
        str(m.pk): _("movement no. %(seq)s of the register of shares") % {"seq": m.seq}
        for m in ShareMovement.objects.filter(pk__in=int_ids(ids))
    }


def register() -> None:
    register_kind(CERTIFICATE_NOTICE, gettext_lazy("share certificate"))
    register_key("movement", _movements)
