"""Proxies: a member on the roll gives a written proxy to another member on the same
roll, for this assembly only, and may revoke it until voting opens.

Every rule is checked under the assembly's row lock (`SELECT … FOR UPDATE`), which every write
on proxies and check-ins takes first, so two members giving proxies to the same holder at once,
or a check-in racing a proxy, are settled one after the other:

- at most one active proxy per giver (also the partial unique index of the table);
- no chains: a member who holds a proxy cannot give one, and nobody can give a proxy to a
  member who gave theirs;
- the holder's limit, `coop.statutes.rules.proxy_limit` for the frozen statutes and the roll;
- a member checked in as present, or who already voted at distance, cannot give a proxy.

The holder is told through the notices outbox when a proxy is given to them or revoked
(governance.services.proxy_notices: once per proxy, by e-mail or by letter).
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coop.actors import Actor, actor_person
from coop.audit import AuditAction, audit_record
from coop.errors import DomainError
from coop.statutes.rules import proxy_limit
from governance.lifecycle import Action, assembly_allows, assembly_require
from governance.models import Assembly, Participation, Proxy, RollEntry
from governance.selectors.figures import figures_changed
from governance.services.proxy_notices import (
    PROXY_NOTICE,  # noqa: F401 (re-exported: tests and callers import it from here)
    proxy_given_notify,
    proxy_revoked_notify,
)


class ProxyRefused(DomainError):
    """A proxy cannot be given or revoked."""


def _figures_changed(assembly_pk: int) -> None:
    """The cached live figures are stale: now (a reader then recomputes, never keeps an older
    count) and again on commit (a reader before the commit may have cached the old count)."""
    figures_changed(assembly_pk)
    transaction.on_commit(lambda: figures_changed(assembly_pk), robust=True)


def assembly_lock(assembly: Assembly) -> Assembly:
    """The assembly's row, locked until the end of the transaction (with its statutes)."""
    return (
        Assembly.objects.select_for_update(of=("self",))
        .select_related("statutes")
        .get(pk=assembly.pk)
    )


def proxies_open(assembly: Assembly) -> bool:
    """Proxies can be given or revoked: the assembly is convened and voting has not opened."""
    return assembly_allows(assembly, Action.GIVE_PROXY)


def holder_limit(assembly: Assembly) -> int:
    """How many proxies one holder may hold for this assembly."""
    roll_size = RollEntry.objects.filter(assembly=assembly).count()
    return proxy_limit(statutes=assembly.frozen_statutes, roll_size=roll_size)


def _roll_entry(assembly: Assembly, entry: RollEntry) -> RollEntry:
    try:
        return RollEntry.objects.select_related("member").get(pk=entry.pk, assembly=assembly)
    except RollEntry.DoesNotExist as exc:
        raise ProxyRefused(
            _("%(name)s is not on the roll of this assembly.") % {"name": entry.name},
            code="not_on_roll",
        ) from exc


def _check_give(assembly: Assembly, giver: RollEntry, holder: RollEntry) -> None:
    if giver.pk == holder.pk:
        raise ProxyRefused(_("You cannot give a proxy to yourself."), code="proxy_to_self")
    if giver.present_at is not None:
        raise ProxyRefused(
            _("%(name)s is checked in as present at the meeting and cannot give a proxy.")
            % {"name": giver.name},
            code="giver_present",
        )
    active = Proxy.objects.filter(assembly=assembly, revoked_at__isnull=True)
    given = active.filter(giver=giver).select_related("holder").first()
    if given is not None:
        raise ProxyRefused(
            _(
                "%(name)s already gave a proxy to %(holder)s for this assembly: revoke it "
                "first to give another."
            )
            % {"name": giver.name, "holder": given.holder.name},
            code="already_given",
        )
    if Participation.objects.filter(roll_entry=giver).exists():
        raise ProxyRefused(
            _("%(name)s has already voted and cannot give a proxy any more.")
            % {"name": giver.name},
            code="giver_voted",
        )
    if active.filter(holder=giver).exists():
        raise ProxyRefused(
            _(
                "%(name)s holds proxies from other members and cannot pass them on: a "
                "holder cannot give a proxy."
            )
            % {"name": giver.name},
            code="holder_cannot_give",
        )
    if active.filter(giver=holder).exists():
        raise ProxyRefused(
            _(
                "%(holder)s gave a proxy to another member for this assembly and cannot "
                "hold one: a proxy cannot be passed on."
            )
            % {"holder": holder.name},
            code="holder_gave",
        )
    limit = holder_limit(assembly)
    held = active.filter(holder=holder).count()
    if held >= limit:
        raise ProxyRefused(
            ngettext(
                "%(holder)s already holds %(count)s proxy, the most the statutes allow for "
                "this assembly.",
                "%(holder)s already holds %(count)s proxies, the most the statutes allow for "
                "this assembly.",
                held,
            )
            % {"holder": holder.name, "count": held},
            code="holder_limit",
            limit=limit,
        )


@transaction.atomic
def proxy_give(
    *,
    assembly: Assembly,
    giver: RollEntry,
    holder: RollEntry,
    actor: Actor,
    now: dt.datetime | None = None,
) -> Proxy:
    """Record a proxy from `giver` to `holder`, both on the roll of `assembly`; tell the holder."""
    assembly = assembly_lock(assembly)
    assembly_require(assembly, Action.GIVE_PROXY, now=now or timezone.now())
    giver = _roll_entry(assembly, giver)
    holder = _roll_entry(assembly, holder)
    _check_give(assembly, giver, holder)
    try:
        with transaction.atomic():
            proxy = Proxy.objects.create(
                assembly=assembly,
                giver=giver,
                holder=holder,
                given_by=actor_person(actor),
            )
    except IntegrityError as exc:  # the partial unique index: one active proxy per giver
        raise ProxyRefused(
            _("%(name)s already gave a proxy for this assembly.") % {"name": giver.name},
            code="already_given",
        ) from exc
    audit_record(
        actor=actor,
        action=AuditAction.PROXY_GIVEN,
        target=proxy,
        data={
            "assembly": assembly.pk,
            "giver": giver.member_number,
            "holder": holder.member_number,
        },
    )
    proxy_given_notify(proxy=proxy, assembly=assembly, actor=actor)  # notice: holder told
    _figures_changed(assembly.pk)
    return proxy


@transaction.atomic
def proxy_revoke(*, proxy: Proxy, actor: Actor, now: dt.datetime | None = None) -> Proxy:
    """Revoke an active proxy, until voting opens and as long as its holder has not voted with
    it. The giver may then vote or be checked in."""
    now = now or timezone.now()
    assembly = assembly_lock(proxy.assembly)
    assembly_require(assembly, Action.GIVE_PROXY, now=now)
    proxy = Proxy.objects.select_related("giver", "holder__member").get(pk=proxy.pk)
    if proxy.revoked_at is not None:
        raise ProxyRefused(
            _("This proxy was already revoked on %(date)s.")
            % {"date": date_format(timezone.localtime(proxy.revoked_at), "DATETIME_FORMAT")},
            code="already_revoked",
        )
    if Participation.objects.filter(roll_entry=proxy.giver_id, cast_by=proxy.holder_id).exists():
        raise ProxyRefused(
            _(
                "%(holder)s has already voted for %(giver)s with this proxy: a proxy that has "
                "been used cannot be revoked, the vote cast with it stands."
            )
            % {"holder": proxy.holder.name, "giver": proxy.giver.name},
            code="proxy_used",
        )
    proxy.revoked_at = now
    proxy.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor,
        action=AuditAction.PROXY_REVOKED,
        target=proxy,
        data={
            "assembly": assembly.pk,
            "giver": proxy.giver.member_number,
            "holder": proxy.holder.member_number,
        },
    )
    proxy_revoked_notify(proxy=proxy, assembly=assembly, actor=actor)  # notice: holder told
    _figures_changed(assembly.pk)
    return proxy
