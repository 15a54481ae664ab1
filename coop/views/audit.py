"""The audit log page: who did what and when, newest first, filtered and paginated."""

import json
from typing import Any

from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from coop.forms import AuditFilterForm
from coop.http import HtmxHttpRequest, render
from coop.models import AuditEvent
from coop.roles import Role, role_required

PAGE_SIZE = 50

# Objects whose page an event can link to: model label -> URL name taking the primary key.
_TARGET_URLS = {"coop.statutes": "coop:statutes_detail"}


def _actions() -> list[str]:
    return list(AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct())


def _events(*, action: str, actor: str) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.order_by("-occurred_at", "-id")
    if action:
        events = events.filter(action=action)
    if actor:
        # The address recorded at the time, or the account's address today.
        events = events.filter(Q(actor_label__icontains=actor) | Q(actor__email__icontains=actor))
    return events


def _target_url(event: AuditEvent) -> str | None:
    url_name = _TARGET_URLS.get(event.target_type)
    if url_name is None or not event.target_id.isdigit():
        return None
    return reverse(url_name, args=[int(event.target_id)])


def _row(event: AuditEvent) -> dict[str, Any]:
    return {
        "event": event,
        "target_url": _target_url(event),
        "data": json.dumps(
            event.data, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":")
        )
        if event.data
        else "",
    }


@require_GET
@role_required(Role.ADMINISTRATOR)
def audit_index(request: HtmxHttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None, actions=_actions())
    filters = {"action": "", "actor": ""}
    if form.is_bound:
        form.is_valid()
        filters.update({k: v for k, v in form.cleaned_data.items() if v})
    page = Paginator(_events(**filters), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "rows": [_row(event) for event in page.object_list],
        "filtered": any(filters.values()),
    }
    return render(request, "coop/audit_index.html", context, partial="audit-results")
