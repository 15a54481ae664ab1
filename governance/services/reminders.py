"""Reminders before the distance-voting deadline (beat: governance.tasks).

For a convened assembly whose distance-voting deadline falls within the next
`REMINDER_WINDOW` and has not passed, each member on the roll who has neither voted (no
participation in any vote of the assembly) nor given an active proxy, nor been checked in, gets
one reminder by e-mail, when they agreed to receive the cooperative's notices by e-mail.

Once only: the notice is (kind "assembly-reminder", reference "assembly:<pk>") and the outbox
keeps one row per notice and recipient (a unique constraint, inserted with ON CONFLICT DO
NOTHING), so running the task twice, or twice at the same time, sends nobody two reminders.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone

from coop.models import NoticeDelivery
from coop.outbox import DeliveryDraft, notice_enqueue, notice_render_delivery
from governance.models import Assembly, Participation, Proxy, RollEntry

REMINDER_NOTICE = "assembly-reminder"
REMINDER_WINDOW = dt.timedelta(days=2)


def reminder_reference(assembly: Assembly) -> str:
    return f"assembly:{assembly.pk}"


def assemblies_due_for_reminders(*, now: dt.datetime | None = None) -> QuerySet[Assembly]:
    """Convened assemblies whose distance-voting deadline is within the window, not passed."""
    now = now or timezone.now()
    return Assembly.objects.filter(
        status=Assembly.Status.CONVENED,
        voting_opened_at__isnull=True,
        distance_vote_deadline__gt=now,
        distance_vote_deadline__lte=now + REMINDER_WINDOW,
    ).select_related("statutes")


def members_to_remind(*, assembly: Assembly) -> QuerySet[RollEntry]:
    """Roll entries who have neither voted nor given an active proxy nor been checked in, and
    who can be reminded by e-mail."""
    return (
        RollEntry.objects.filter(assembly=assembly, present_at__isnull=True)
        .annotate(
            voted=Exists(
                Participation.objects.filter(
                    roll_entry=OuterRef("pk"), resolution__assembly=assembly
                )
            ),
            gave_proxy=Exists(Proxy.objects.filter(giver=OuterRef("pk"), revoked_at__isnull=True)),
        )
        .filter(voted=False, gave_proxy=False, member__e_notices=True)
        .exclude(member__email="")
        .select_related("member")
        .order_by("member_number")
    )


@dataclass(frozen=True)
class RemindersSent:
    assembly: Assembly
    queued: int


def _draft(assembly: Assembly, entry: RollEntry, detail_url: str) -> DeliveryDraft:
    member = entry.member
    return notice_render_delivery(
        recipient_key=f"member:{member.pk}",
        to_email=member.email,
        language=member.language,
        template_prefix="governance/reminder_email/reminder",
        context={
            "assembly": assembly,
            "entry": entry,
            "starts_at": timezone.localtime(assembly.starts_at),
            "deadline": timezone.localtime(assembly.distance_vote_deadline),
            "detail_url": detail_url,
            "cooperative": assembly.statutes.name if assembly.statutes is not None else "",
        },
    )


@transaction.atomic
def assembly_send_reminders(*, assembly: Assembly) -> RemindersSent:
    """Queue the reminder of `assembly` for every member who should get it and has not yet."""
    reference = reminder_reference(assembly)
    already = set(
        NoticeDelivery.objects.filter(
            notice__kind=REMINDER_NOTICE, notice__reference=reference
        ).values_list("recipient_key", flat=True)
    )
    detail_url = settings.SITE_URL.rstrip("/") + reverse("governance:detail", args=[assembly.pk])
    drafts = [
        _draft(assembly, entry, detail_url)
        for entry in members_to_remind(assembly=assembly)
        if f"member:{entry.member_id}" not in already
    ]
    if not drafts:
        return RemindersSent(assembly=assembly, queued=0)
    before = len(already)
    notice_enqueue(kind=REMINDER_NOTICE, reference=reference, deliveries=drafts, actor=None)
    after = NoticeDelivery.objects.filter(
        notice__kind=REMINDER_NOTICE, notice__reference=reference
    ).count()
    return RemindersSent(assembly=assembly, queued=after - before)


def reminders_send_due(*, now: dt.datetime | None = None) -> list[RemindersSent]:
    """Send the reminders of every assembly due for them (each in its own transaction)."""
    return [
        assembly_send_reminders(assembly=assembly)
        for assembly in assemblies_due_for_reminders(now=now)
    ]
