"""Notices about proxies (RULES 14), through the notices outbox: each sent once, by e-mail to
members who agreed to e-mail notices, as a printed letter to the others.

- `proxy_given_notify`: the holder is told that a member gave them their proxy;
- `proxy_revoked_notify`: the holder is told that the proxy was revoked;
- `principals_notify_holder_voted`: each principal is told that their holder cast their vote.
  It never receives the choices, so it cannot tell them: it says that the vote was cast, never
  how (docs/secrecy.md). It is called after the cast's commit.

Each notice has its own reference (the proxy, or the principal's roll entry), so queuing it
again (a retry, a second call) never makes a second copy: the outbox keeps one row per notice
and recipient.
"""

from collections.abc import Sequence
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from coop.models import NoticeDelivery
from coop.outbox import DeliveryDraft, notice_enqueue, notice_render_delivery
from governance.models import Assembly, Proxy, RollEntry
from members.models import Member

PROXY_NOTICE = "assembly-proxy"
PROXY_REVOKED_NOTICE = "assembly-proxy-revoked"
HOLDER_VOTED_NOTICE = "assembly-proxy-used"

Channel = NoticeDelivery.Channel


def _site_url(path: str) -> str:
    return str(settings.SITE_URL).rstrip("/") + path


def _draft(
    *, member: Member, template_prefix: str, context: dict[str, Any], assembly: Assembly
) -> DeliveryDraft:
    """The member's copy: an e-mail when they agreed to e-mail notices and have an address,
    otherwise a letter carrying their postal address."""
    by_email = member.e_notices and bool(member.email.strip())
    return notice_render_delivery(
        recipient_key=f"member:{member.pk}",
        to_email=member.email if by_email else "",
        language=member.language,
        template_prefix=template_prefix,
        context={
            **context,
            "member": member,
            "letter": not by_email,
            "assembly": assembly,
            "starts_at": timezone.localtime(assembly.starts_at),
            "cooperative": assembly.statutes.name if assembly.statutes else "",
            "detail_url": _site_url(reverse("governance:detail", args=[assembly.pk])),
            "home_url": _site_url(reverse("home")),
        },
        channel=Channel.EMAIL if by_email else Channel.LETTER,
    )


def proxy_given_notify(*, proxy: Proxy, assembly: Assembly, actor: Any) -> None:
    """Tell the holder that `proxy` was given to them (one notice per proxy)."""
    draft = _draft(
        member=proxy.holder.member,
        template_prefix="governance/member/email/proxy_given",
        context={"holder": proxy.holder, "giver": proxy.giver},
        assembly=assembly,
    )
    notice_enqueue(
        kind=PROXY_NOTICE, reference=f"proxy:{proxy.pk}", deliveries=[draft], actor=actor
    )


def proxy_revoked_notify(*, proxy: Proxy, assembly: Assembly, actor: Any) -> None:
    """Tell the holder that `proxy` was revoked (one notice per proxy)."""
    draft = _draft(
        member=proxy.holder.member,
        template_prefix="governance/member/email/proxy_revoked",
        context={"holder": proxy.holder, "giver": proxy.giver, "revoked_at": proxy.revoked_at},
        assembly=assembly,
    )
    notice_enqueue(
        kind=PROXY_REVOKED_NOTICE, reference=f"proxy:{proxy.pk}", deliveries=[draft], actor=actor
    )


@transaction.atomic
def principals_notify_holder_voted(
    *, assembly: Assembly, principals: Sequence[RollEntry], holder: RollEntry, actor: Any = None
) -> int:
    """Tell each principal that `holder` cast their vote: that it was cast, never how.

    One notice per principal's roll entry (a member's vote in an assembly is cast once), so a
    retry or a second call adds nothing. Returns how many principals were considered.
    """
    entries = RollEntry.objects.filter(
        assembly=assembly, pk__in=[entry.pk for entry in principals]
    ).select_related("member")
    assembly = Assembly.objects.select_related("statutes").get(pk=assembly.pk)
    count = 0
    for principal in entries:
        draft = _draft(
            member=principal.member,
            template_prefix="governance/member/email/proxy_used",
            context={"principal": principal, "holder": holder},
            assembly=assembly,
        )
        notice_enqueue(
            kind=HOLDER_VOTED_NOTICE,
            reference=f"roll-entry:{principal.pk}",
            deliveries=[draft],
            actor=actor,
        )
        count += 1
    return count


def holders_voted_notify_on_commit(
    *, assembly: Assembly, voter: RollEntry, for_entries: Sequence[RollEntry], actor: Any
) -> None:
    """From the cast path: when `voter` cast the votes of their principals among
    `for_entries`, tell those principals once the cast is committed (nothing for the voter's
    own vote). A failure to queue is logged and never undoes the vote (robust)."""
    principals = [entry for entry in for_entries if entry.pk != voter.pk]
    if not principals:
        return
    transaction.on_commit(
        partial(
            principals_notify_holder_voted,
            assembly=assembly,
            principals=principals,
            holder=voter,
            actor=actor,
        ),
        robust=True,
    )
