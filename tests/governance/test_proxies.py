"""Proxies (RULES 14): one per giver, no chains, the holder's limit, not while present, revocable
until voting opens; the holder is told through the outbox; everything audited."""

import datetime as dt

import pytest
from django.utils import timezone

from coop.errors import DomainError
from coop.models import AuditEvent, Notice, NoticeDelivery
from governance.models import Assembly, Proxy
from governance.services.meeting import roll_entry_check_in
from governance.services.proxies import PROXY_NOTICE, holder_limit, proxy_give, proxy_revoke
from tests.governance.factories import (
    convened_assembly,
    e_notices_on,
    members_admitted,
    roll_entry_of,
    statutes_and_register,
    voted_at_distance,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def roll():
    register = statutes_and_register()
    members = members_admitted(register, 6)
    assembly = convened_assembly(members=members)
    entries = [roll_entry_of(assembly, m) for m in members]
    return assembly, entries


def test_a_member_gives_a_proxy_the_holder_is_told_and_it_is_audited(roll, admin_user):
    assembly, (ada, bob, *_rest) = roll
    e_notices_on([bob.member])
    proxy = proxy_give(assembly=assembly, giver=ada, holder=bob, actor=admin_user)

    assert (proxy.giver, proxy.holder, proxy.revoked_at) == (ada, bob, None)
    assert proxy.given_by == admin_user
    notice = Notice.objects.get(kind=PROXY_NOTICE)
    assert notice.reference == f"proxy:{proxy.pk}"
    delivery = notice.deliveries.get()
    assert delivery.recipient_key == f"member:{bob.member.pk}"
    assert delivery.to_email == bob.member.email
    assert ada.name in delivery.body_text
    assert f"/assemblies/{assembly.pk}/" in delivery.body_text
    event = AuditEvent.objects.get(action="assembly.proxy_given")
    assert event.data == {
        "assembly": assembly.pk,
        "giver": ada.member_number,
        "holder": bob.member_number,
    }


def test_a_holder_who_refused_e_mail_notices_gets_a_letter_not_a_mail(roll):
    assembly, (ada, bob, *_rest) = roll
    proxy_give(assembly=assembly, giver=ada, holder=bob, actor=None)
    delivery = NoticeDelivery.objects.get()
    assert (delivery.channel, delivery.to_email) == (NoticeDelivery.Channel.LETTER, "")


def test_one_active_proxy_per_giver_until_revoked(roll):
    assembly, (ada, bob, cleo, *_rest) = roll
    first = proxy_give(assembly=assembly, giver=ada, holder=bob, actor=None)
    with pytest.raises(DomainError, match=f"already gave a proxy to {bob.name}"):
        proxy_give(assembly=assembly, giver=ada, holder=cleo, actor=None)

    proxy_revoke(proxy=first, actor=None)
    second = proxy_give(assembly=assembly, giver=ada, holder=cleo, actor=None)
    assert second.holder == cleo
    assert Proxy.objects.filter(giver=ada, revoked_at__isnull=True).get() == second
    assert AuditEvent.objects.filter(action="assembly.proxy_revoked").count() == 1


def test_no_chains_a_holder_cannot_give_and_a_giver_cannot_hold(roll):
    assembly, (ada, bob, cleo, *_rest) = roll
    proxy_give(assembly=assembly, giver=ada, holder=bob, actor=None)
    with pytest.raises(DomainError, match="cannot pass them on"):
        proxy_give(assembly=assembly, giver=bob, holder=cleo, actor=None)
    with pytest.raises(DomainError, match=f"{ada.name} gave a proxy to another member"):
        proxy_give(assembly=assembly, giver=cleo, holder=ada, actor=None)
    assert Proxy.objects.count() == 1


def test_the_holders_limit_is_enforced_with_a_message_naming_it(roll):
    assembly, (ada, bob, cleo, *_rest) = roll
    assert holder_limit(assembly) == 1  # fewer than 20 members on the roll
    proxy_give(assembly=assembly, giver=ada, holder=bob, actor=None)
    with pytest.raises(DomainError) as refused:
        proxy_give(assembly=assembly, giver=cleo, holder=bob, actor=None)
    assert str(refused.value) == (
        f"{bob.name} already holds 1 proxy, the most the statutes allow for this assembly."
    )
    assert refused.value.params == {"limit": 1}


def test_a_roll_of_one_hundred_allows_five_proxies_per_holder():
    register = statutes_and_register()
    members = members_admitted(register, 100)
    assembly = convened_assembly(members=members)
    entries = list(assembly.roll.order_by("member_number"))
    holder = entries[0]
    for giver in entries[1:6]:
        proxy_give(assembly=assembly, giver=giver, holder=holder, actor=None)
    with pytest.raises(DomainError, match="already holds 5 proxies, the most the statutes allow"):
        proxy_give(assembly=assembly, giver=entries[6], holder=holder, actor=None)


def test_a_member_present_cannot_give_a_proxy(roll):
    assembly, (ada, bob, *_rest) = roll
    roll_entry_check_in(roll_entry=ada, actor=None, now=assembly.starts_at)
    with pytest.raises(DomainError, match="checked in as present"):
        proxy_give(assembly=assembly, giver=ada, holder=bob, actor=None)


def test_a_member_who_voted_at_distance_cannot_give_a_proxy(roll):
    assembly, (ada, bob, *_rest) = roll
    voted_at_distance(ada)
    with pytest.raises(DomainError, match="has already voted"):
        proxy_give(assembly=assembly, giver=ada, holder=bob, actor=None)


def test_no_proxy_to_oneself_nor_to_someone_of_another_roll(roll):
    assembly, (ada, *_rest) = roll
    with pytest.raises(DomainError, match="to yourself"):
        proxy_give(assembly=assembly, giver=ada, holder=ada, actor=None)
    register = statutes_and_register()
    other = convened_assembly(members=members_admitted(register, 2), title="Autre")
    stranger = other.roll.first()
    with pytest.raises(DomainError, match="is not on the roll of this assembly"):
        proxy_give(assembly=assembly, giver=ada, holder=stranger, actor=None)


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (Assembly.Status.VOTING_OPEN, "Voting has opened"),
        (Assembly.Status.VOTING_CLOSED, "Voting has opened"),
        (Assembly.Status.CANCELLED, "was cancelled"),
    ],
)
def test_proxies_are_given_and_revoked_only_until_voting_opens(roll, status, message):
    assembly, (ada, bob, cleo, *_rest) = roll
    proxy = proxy_give(assembly=assembly, giver=ada, holder=bob, actor=None)
    Assembly.objects.filter(pk=assembly.pk).update(
        status=status, voting_opened_at=timezone.now() - dt.timedelta(minutes=5)
    )
    with pytest.raises(DomainError, match=message):
        proxy_revoke(proxy=proxy, actor=None)
    with pytest.raises(DomainError, match=message):
        proxy_give(assembly=assembly, giver=cleo, holder=bob, actor=None)
    proxy.refresh_from_db()
    assert proxy.revoked_at is None


def test_revoking_twice_is_refused(roll):
    assembly, (ada, bob, *_rest) = roll
    proxy = proxy_give(assembly=assembly, giver=ada, holder=bob, actor=None)
    proxy_revoke(proxy=proxy, actor=None)
    with pytest.raises(DomainError, match="already revoked"):
        proxy_revoke(proxy=proxy, actor=None)


def test_the_database_refuses_a_second_active_proxy_whoever_writes(roll):
    from django.db import IntegrityError, transaction

    assembly, (ada, bob, cleo, *_rest) = roll
    proxy_give(assembly=assembly, giver=ada, holder=bob, actor=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Proxy.objects.create(assembly=assembly, giver=ada, holder=cleo)
