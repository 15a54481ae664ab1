"""The audit log page: who did what and when, newest first, filtered and paginated.

Each event reads as a sentence: who (their name and address), what they did (the action's
sentence, coop.audit.AuditAction) and on what (the object as people name it: "member no. 4,
Marcel Membre", an assembly's title), never as internal codes.
"""

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from django.apps import apps
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from coop.audit import audit_sentence
from coop.forms import AuditFilterForm
from coop.http import HtmxHttpRequest, render
from coop.models import AuditEvent
from coop.outbox.labels import describe_keys, kind_label
from coop.roles import Role, role_required

PAGE_SIZE = 50

# Objects whose page an event can link to: model label -> URL name taking the primary key.
_TARGET_URLS = {"coop.statutes": "coop:statutes_detail"}


def _actions() -> list[tuple[str, str]]:
    """The actions recorded so far, each with its sentence, in the reader's alphabetical order."""
    recorded = AuditEvent.objects.order_by().values_list("action", flat=True).distinct()
    return sorted(
        ((action, capfirst(audit_sentence(action))) for action in recorded),
        key=lambda choice: choice[1].casefold(),
    )


def _events(*, action: str, actor: str) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.select_related("actor").order_by("-occurred_at", "-id")
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


def _describe(obj: Any, references: dict[str, str]) -> str:
    if obj._meta.label_lower == "coop.notice":
        return f"{capfirst(kind_label(obj.kind))} · {references[obj.reference]}"
    if obj._meta.label_lower == "members.member":
        if obj.number is None:
            return _("applicant %(name)s") % {"name": obj.display_name}
        return _("member no. %(number)s, %(name)s") % {
            "number": obj.number,
            "name": obj.display_name,
        }
    return f"{obj._meta.verbose_name}: {obj}"


def _targets(events: Iterable[AuditEvent]) -> dict[tuple[str, str], str]:
    """What each event's object is, in words; one query per kind of object on the page."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for event in events:
        if event.target_type and event.target_id:
            wanted[event.target_type].add(event.target_id)
    described: dict[tuple[str, str], str] = {}
    for label, ids in wanted.items():
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            continue
        keys = {}
        for raw in ids:
            try:
                keys[model._meta.pk.to_python(raw)] = raw
            except Exception:  # noqa: S112 - an id of another time reads as missing
                continue
        found = model._default_manager.in_bulk(list(keys))
        # A notice is named by its kind and its subject (coop.outbox.labels), all at once.
        references = describe_keys(
            obj.reference for obj in found.values() if label == "coop.notice"
        )
        for key, raw in keys.items():
            obj = found.get(key)
            described[(label, raw)] = (
                _describe(obj, references)
                if obj is not None
                else _("%(kind)s no longer in the database") % {"kind": model._meta.verbose_name}
            )
    return described


def _who(event: AuditEvent) -> str:
    if event.actor is None:
        return event.actor_label if event.actor_label != "system" else _("Volière (automatic)")
    name = event.actor.get_full_name()
    return f"{name} ({event.actor_label})" if name else event.actor_label


_KEY = re.compile(r"^[a-z]+:\w+")


def _keys_in(value: Any) -> Iterator[str]:
    if isinstance(value, str) and _KEY.match(value):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _keys_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from _keys_in(item)


def _in_words(value: Any, keys: dict[str, str]) -> Any:
    """The recorded data with notice keys ("assembly:2") replaced by what they name, and
    notice kinds by their names."""
    if isinstance(value, str):
        return keys.get(value, value)
    if isinstance(value, dict):
        return {
            name: kind_label(item)
            if name == "kind" and isinstance(item, str)
            else _in_words(item, keys)
            for name, item in value.items()
        }
    if isinstance(value, list):
        return [_in_words(item, keys) for item in value]
    return value


def _row(
    event: AuditEvent, targets: dict[tuple[str, str], str], keys: dict[str, str]
) -> dict[str, Any]:
    return {
        "event": event,
        "who": _who(event),
        "what": audit_sentence(event.action),
        "target": targets.get((event.target_type, event.target_id), ""),
        "target_url": _target_url(event),
        "data": json.dumps(
            _in_words(event.data, keys),
            cls=DjangoJSONEncoder,
            ensure_ascii=False,
            separators=(",", ":"),
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
    events = list(page.object_list)
    targets = _targets(events)
    keys = describe_keys(key for event in events for key in _keys_in(event.data))
    context = {
        "form": form,
        "page": page,
        "rows": [_row(event, targets, keys) for event in events],
        "filtered": any(filters.values()),
    }
    return render(request, "coop/audit_index.html", context, partial="audit-results")
