"""Convening an assembly (RULES 11): the notice period, the freeze of the statutes, the
colleges and the roll, and the convocation of every member through the notices outbox; and
cancelling a convened assembly, which notifies the members too.

Scale: an assembly of 50,000 members is convened in one transaction. The roll is written by
one INSERT ... SELECT; the notice is rendered once per language with a placeholder for the
member's name, which is then substituted for each member; the outbox rows go in with one
INSERT per 5,000 members (`notice_enqueue`); each roll entry is linked to its copy by one
UPDATE.
"""

import datetime as dt
import zoneinfo
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.translation import gettext as _

from coop import formatting
from coop.actors import Actor, actor_person
from coop.audit import AuditAction, audit_record
from coop.errors import DomainError
from coop.models import Notice, NoticeDelivery, Statutes
from coop.outbox import DeliveryDraft, notice_enqueue, notice_render_delivery
from coop.statutes import statutes_in_force
from governance.lifecycle import (
    Action,
    assembly_require,
    second_convocation_date_check,
    written_questions_closing,
)
from governance.models import AgendaItem, Assembly, AssemblyCollege, AssemblyDocument, RollEntry
from governance.selectors.assemblies import (
    convocation_latest_day,
    majority_text,
    notice_days,
    quorum_text,
)
from governance.services.urn import urn_seal
from members.selectors import colleges_with_counts, members_on_roll

PARIS = zoneinfo.ZoneInfo(settings.TIME_ZONE)
CONVOCATION_NOTICE = "assembly-convocation"
CANCELLATION_NOTICE = "assembly-cancellation"
# Stands for the member's name in a notice rendered once for every member of a language.
NAME_PLACEHOLDER = "\u2063\u2063member-name\u2063\u2063"
Channel = NoticeDelivery.Channel
# Members whose copies are rendered and queued at a time.
ENQUEUE_CHUNK = 5000


class ConvocationRefused(DomainError):
    """The assembly cannot be convened as it stands."""


def assembly_reference(assembly: Assembly) -> str:
    """The reference of an assembly's notices."""
    return f"assembly:{assembly.pk}"


def member_assembly_url(assembly: Assembly) -> str:
    """The member's page of the assembly (agenda, distance vote, proxy), absolute."""
    try:
        path = reverse("governance:detail", kwargs={"pk": assembly.pk})
    except NoReverseMatch:  # the members' pages are not mounted: the portal's home
        path = reverse("home")
    return str(settings.SITE_URL).rstrip("/") + path


def check_in_url(token: str) -> str:
    """What the QR code of a printed convocation encodes: the check-in of its member."""
    try:
        path = reverse("governance:check_in_token", kwargs={"token": token})
    except NoReverseMatch:
        path = reverse("home") + f"?check-in={token}"
    return str(settings.SITE_URL).rstrip("/") + path


# --- Convening -------------------------------------------------------------------------------


def _refuse_short_notice(assembly: Assembly, statutes: Statutes, today: dt.date) -> None:
    days = notice_days(statutes=statutes, convocation=assembly.convocation)
    latest = convocation_latest_day(starts_at=assembly.starts_at, days=days)
    if today <= latest:
        return
    local = assembly.starts_at.astimezone(PARIS)
    message = _(
        "The notice period is too short: the statutes require the convocation to be sent at "
        "least %(days)s days before the meeting (%(convocation)s). For a meeting on "
        "%(date)s at %(time)s, the convocation must be sent by %(latest)s. Choose a later "
        "date for the meeting."
    ) % {
        "days": days,
        "convocation": assembly.get_convocation_display(),
        "date": date_format(local.date(), "j F"),
        "time": formatting.clock(local),
        "latest": date_format(latest, "j F"),
    }
    raise ConvocationRefused(message, code="notice_too_short", latest=latest.isoformat())


def _check_ready(assembly: Assembly, now: dt.datetime) -> None:
    assembly_require(assembly, Action.CONVENE, now=now)
    first = assembly.first_convocation
    if first is not None:
        if first.status != Assembly.Status.QUORUM_NOT_REACHED:
            raise ConvocationRefused(
                _(
                    "A second convocation is convened only once the first has ended without "
                    "its quorum (this first convocation is %(status)s)."
                )
                % {"status": first.get_status_display()},
                code="first_not_ended",
            )
        second_convocation_date_check(first=first, starts_at=assembly.starts_at)
    if assembly.starts_at <= now:
        raise ConvocationRefused(
            _("The meeting's date has passed: choose a date to come."), code="meeting_passed"
        )
    if not AgendaItem.objects.filter(assembly=assembly).exists():
        raise ConvocationRefused(
            _("The agenda is empty: add at least one item before convening the assembly."),
            code="empty_agenda",
        )
    if assembly.distance_vote_deadline <= now:
        raise ConvocationRefused(
            _("The deadline for distance votes has passed: choose a later deadline."),
            code="deadline_passed",
        )


def _freeze_colleges(assembly: Assembly, statutes: Statutes) -> None:
    if not statutes.colleges_enabled:
        return
    AssemblyCollege.objects.bulk_create(
        AssemblyCollege(
            assembly=assembly,
            college=college,
            name=college.name,
            weight=college.weight,
            position=college.position,
        )
        for college in colleges_with_counts()
    )


_ROLL_SQL = """
INSERT INTO governance_rollentry (
    assembly_id, member_id, college_id, member_number, name, address, check_in_token
)
SELECT %(assembly)s, m.id, ac.id, m.number,
       left(CASE WHEN m.person_kind = 'legal' THEN m.legal_name
                 ELSE btrim(m.first_name || ' ' || m.last_name) END, 300),
       left(concat_ws(', ', NULLIF(btrim(m.address), ''),
                      NULLIF(btrim(m.postal_code || ' ' || m.city), ''),
                      NULLIF(btrim(m.country), '')), 500),
       translate(rtrim(encode(uuid_send(gen_random_uuid()), 'base64'), '='), '+/', '-_')
       || translate(rtrim(encode(substring(uuid_send(gen_random_uuid()) from 1 for 6),
                                 'base64'), '='), '+/', '-_')
FROM members_member m
LEFT JOIN governance_assemblycollege ac
       ON ac.assembly_id = %(assembly)s AND ac.college_id = m.college_id
WHERE m.id IN ({eligible})
ORDER BY m.number
"""


def _freeze_roll(assembly: Assembly, on: dt.date) -> int:
    """Write the roll: the members eligible on `on`, with their college, number, name and
    address (one statement, whatever the size of the register). Returns its size."""
    eligible = members_on_roll(on=on).order_by().values("id")
    eligible_sql, eligible_params = eligible.query.sql_with_params()
    # The selector's own SQL, with its parameters inlined as named ones.
    names = {f"e{i}": value for i, value in enumerate(eligible_params)}
    eligible_sql = eligible_sql % tuple(f"%({name})s" for name in names)
    with connection.cursor() as cursor:
        cursor.execute(_ROLL_SQL.format(eligible=eligible_sql), {"assembly": assembly.pk, **names})
        return int(cursor.rowcount)


@dataclass(frozen=True)
class _Recipient:
    member_id: int
    name: str
    email: str
    e_notices: bool
    language: str

    @property
    def channel(self) -> str:
        return Channel.EMAIL if self.e_notices and self.email.strip() else Channel.LETTER


def _recipients(assembly: Assembly) -> list[_Recipient]:
    rows = (
        RollEntry.objects.filter(assembly=assembly)
        .order_by("member_number", "id")
        .values_list("member_id", "name", "member__email", "member__e_notices", "member__language")
    )
    return [_Recipient(*row) for row in rows]


def _language(code: str) -> str:
    known = {language for language, _label in settings.LANGUAGES}
    return code if code in known else settings.LANGUAGE_CODE


def _agenda(assembly: Assembly, statutes: Statutes) -> list[dict[str, Any]]:
    """The agenda with each resolution and the majority it needs, in the active language."""
    items = AgendaItem.objects.filter(assembly=assembly).order_by("position")
    return [
        {
            "item": item,
            "resolutions": [
                {
                    "resolution": resolution,
                    "majority": majority_text(statutes=statutes, kind=resolution.majority_kind),
                }
                for resolution in item.resolutions.order_by("number")
            ],
        }
        for item in items.prefetch_related("resolutions")
    ]


def notice_context(assembly: Assembly, statutes: Statutes, **extra: Any) -> dict[str, Any]:
    """Everything RULES 11 asks a notice to state (rendered in the active language)."""
    return {
        "assembly": assembly,
        "statutes": statutes,
        "cooperative": statutes.name,
        "designation": statutes.legal_designation,
        "starts_at": assembly.starts_at.astimezone(PARIS),
        "deadline": assembly.distance_vote_deadline.astimezone(PARIS),
        "agenda": _agenda(assembly, statutes),
        "quorum": quorum_text(
            statutes=statutes, kind=assembly.kind, convocation=assembly.convocation
        ),
        "assembly_url": member_assembly_url(assembly),
        # RULES 35: the documents open to the members, and the written questions' deadline.
        "documents": list(
            AssemblyDocument.objects.filter(assembly=assembly)
            .order_by("added_at", "id")
            .values_list("title", flat=True)
        ),
        "documents_url": member_assembly_url(assembly) + "#documents",
        "questions_until": (
            written_questions_closing(assembly) - dt.timedelta(minutes=1)
        ).astimezone(PARIS),
        "greeting_name": NAME_PLACEHOLDER,
        **extra,
    }


class _Renderer:
    """Each member's copy of a notice: rendered once per language, then the name put in."""

    def __init__(
        self, *, assembly: Assembly, statutes: Statutes, template_prefix: str, **extra: Any
    ) -> None:
        self.assembly, self.statutes, self.template_prefix = assembly, statutes, template_prefix
        self.extra = extra
        self.models: dict[str, DeliveryDraft] = {}

    def model(self, language: str) -> DeliveryDraft:
        if language not in self.models:
            with translation.override(language):
                context = notice_context(self.assembly, self.statutes, **self.extra)
                self.models[language] = notice_render_delivery(
                    recipient_key="model",
                    to_email="",
                    language=language,
                    template_prefix=self.template_prefix,
                    context=context,
                )
        return self.models[language]

    def draft(self, recipient: _Recipient) -> DeliveryDraft:
        model = self.model(_language(recipient.language))
        channel = recipient.channel
        return replace(
            model,
            recipient_key=f"member:{recipient.member_id}",
            to_email=recipient.email.strip() if channel == Channel.EMAIL else "",
            channel=channel,
            body_text=model.body_text.replace(NAME_PLACEHOLDER, recipient.name),
            body_html=(
                model.body_html.replace(NAME_PLACEHOLDER, escape(recipient.name))
                if channel == Channel.EMAIL
                else ""
            ),
        )


@dataclass(frozen=True)
class _Queued:
    notice: Notice
    recipients: int
    emails: int


def _queue_notice(
    *,
    kind: str,
    assembly: Assembly,
    statutes: Statutes,
    template_prefix: str,
    actor: Actor,
    **extra: Any,
) -> _Queued:
    """Queue a notice to every member on the roll, ENQUEUE_CHUNK members at a time so that a
    roll of 50,000 never holds all the copies in memory at once (the outbox adds each chunk's
    recipients to the same notice)."""
    renderer = _Renderer(
        assembly=assembly, statutes=statutes, template_prefix=template_prefix, **extra
    )
    recipients = _recipients(assembly)
    notice: Notice | None = None
    emails = 0
    for start in range(0, len(recipients), ENQUEUE_CHUNK):
        drafts = [renderer.draft(r) for r in recipients[start : start + ENQUEUE_CHUNK]]
        emails += sum(1 for draft in drafts if draft.channel == Channel.EMAIL)
        notice = notice_enqueue(
            kind=kind, reference=assembly_reference(assembly), deliveries=drafts, actor=actor
        )
    if notice is None:
        raise ConvocationRefused(
            _("No member is on the roll: the register has no admitted member."), code="empty_roll"
        )
    return _Queued(notice=notice, recipients=len(recipients), emails=emails)


_LINK_SQL = """
UPDATE governance_rollentry r
SET convocation_delivery_id = d.id
FROM coop_noticedelivery d
WHERE r.assembly_id = %(assembly)s
  AND d.notice_id = %(notice)s
  AND d.recipient_key = 'member:' || r.member_id::text
"""


def assembly_convene_check(*, assembly: Assembly, now: dt.datetime | None = None) -> None:
    """What convening would refuse at once (state, dates, agenda, notice period), checked before
    the convocation starts as a job; `assembly_convene` checks it all again under its lock."""
    now = now or timezone.now()
    assembly = Assembly.objects.select_related("first_convocation").get(pk=assembly.pk)
    _check_ready(assembly, now)
    today = now.astimezone(PARIS).date()
    _refuse_short_notice(assembly, statutes_in_force(on=today), today)


@transaction.atomic
def assembly_convene(
    *, assembly: Assembly, actor: Actor, now: dt.datetime | None = None
) -> Assembly:
    """Convene a draft assembly: check the notice period of the statutes in force (RULES 11),
    freeze the statutes, the colleges' weights and the roll, and queue the convocation of
    every member on the roll (e-mail for those who agreed to e-mail notices, a letter for the
    others). Sending starts when the transaction commits."""
    now = now or timezone.now()
    assembly = (
        Assembly.objects.select_for_update(of=("self",))
        .select_related("first_convocation")
        .get(pk=assembly.pk)
    )
    _check_ready(assembly, now)
    today = now.astimezone(PARIS).date()
    statutes = statutes_in_force(on=today)
    _refuse_short_notice(assembly, statutes, today)

    # The roll is written while the assembly is still a draft: the database accepts new roll
    # entries of a draft only.
    _freeze_colleges(assembly, statutes)
    roll_size = _freeze_roll(assembly, today)
    if roll_size == 0:
        raise ConvocationRefused(
            _("No member is on the roll: the register has no admitted member."), code="empty_roll"
        )
    assembly.statutes = statutes
    queued = _queue_notice(
        kind=CONVOCATION_NOTICE,
        assembly=assembly,
        statutes=statutes,
        template_prefix="governance/email/convocation",
        actor=actor,
    )
    notice = queued.notice
    with connection.cursor() as cursor:
        cursor.execute(_LINK_SQL, {"assembly": assembly.pk, "notice": notice.pk})

    assembly.status = Assembly.Status.CONVENED
    assembly.convened_at = now
    assembly.convened_by = actor_person(actor)
    assembly.convocation_notice = notice
    assembly.save(
        update_fields=["status", "statutes", "convened_at", "convened_by", "convocation_notice"]
    )
    audit_record(
        actor=actor,
        action=AuditAction.ASSEMBLY_CONVENED,
        target=assembly,
        data={
            "statutes": statutes.pk,
            "statutes_effective_from": statutes.effective_from.isoformat(),
            "starts_at": assembly.starts_at.isoformat(),
            "notice_days": notice_days(statutes=statutes, convocation=assembly.convocation),
            "roll": roll_size,
            "emails": queued.emails,
            "letters": roll_size - queued.emails,
            "notice": notice.pk,
        },
    )
    return assembly


# --- Cancelling ------------------------------------------------------------------------------


@transaction.atomic
def assembly_cancel(
    *, assembly: Assembly, reason: str, actor: Actor, now: dt.datetime | None = None
) -> Notice:
    """Cancel a convened assembly and tell every member on its roll why."""
    now = now or timezone.now()
    assembly = Assembly.objects.select_for_update().get(pk=assembly.pk)
    reason = reason.strip()
    assembly_require(assembly, Action.CANCEL, now=now)
    if not reason:
        raise DomainError(
            _("Give the reason for the cancellation: the members are told."), code="no_reason"
        )
    assembly.status = Assembly.Status.CANCELLED
    assembly.cancelled_at = now
    assembly.cancellation_reason = reason
    assembly.save(update_fields=["status", "cancelled_at", "cancellation_reason"])
    urn_seal(assembly=assembly)  # RULES 36: ballots cast at distance are sealed, not kept as cast
    statutes = assembly.statutes or statutes_in_force(on=now.astimezone(PARIS).date())
    queued = _queue_notice(
        kind=CANCELLATION_NOTICE,
        assembly=assembly,
        statutes=statutes,
        template_prefix="governance/email/cancellation",
        actor=actor,
        reason=reason,
    )
    audit_record(
        actor=actor,
        action=AuditAction.ASSEMBLY_CANCELLED,
        target=assembly,
        data={"reason": reason, "notice": queued.notice.pk, "recipients": queued.recipients},
    )
    return queued.notice
