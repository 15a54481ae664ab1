"""The holder's limit under real concurrency: 50 members give their proxy to the same holder at
once (threads, each with its own database connection)."""

import pytest

from coop.errors import DomainError
from coop.statutes.rules import proxy_limit
from governance.models import Proxy
from governance.services.proxies import proxy_give
from tests.governance.factories import convened_assembly, members_admitted, statutes_and_register
from tests.threads import run_in_threads

pytestmark = pytest.mark.django_db(transaction=True)


def test_fifty_members_giving_proxies_to_one_holder_at_once_never_exceed_the_limit():
    register = statutes_and_register()
    assembly = convened_assembly(members=members_admitted(register, 100))
    entries = list(assembly.roll.order_by("member_number"))
    limit = proxy_limit(statutes=assembly.statutes, roll_size=100)
    assert limit == 5
    holder, givers = entries[0], entries[1:51]

    def give(giver):
        return lambda: proxy_give(assembly=assembly, giver=giver, holder=holder, actor=None)

    errors = run_in_threads([give(g) for g in givers])

    assert Proxy.objects.filter(holder=holder, revoked_at__isnull=True).count() == limit
    assert len(errors) == 50 - limit
    assert all(isinstance(e, DomainError) for e in errors), errors
    assert all(
        str(e) == f"{holder.name} already holds 5 proxies, the most the statutes allow for this "
        "assembly."
        for e in errors
    )


def test_a_member_giving_two_proxies_at_once_gives_one():
    register = statutes_and_register()
    assembly = convened_assembly(members=members_admitted(register, 30))
    entries = list(assembly.roll.order_by("member_number"))
    giver = entries[0]

    def give(holder):
        return lambda: proxy_give(assembly=assembly, giver=giver, holder=holder, actor=None)

    errors = run_in_threads([give(h) for h in entries[1:11]])

    assert Proxy.objects.filter(giver=giver).count() == 1
    assert len(errors) == 9
    assert all("already gave a proxy" in str(e) for e in errors)


def test_a_chain_cannot_be_made_by_two_members_giving_to_each_other_at_once():
    register = statutes_and_register()
    assembly = convened_assembly(members=members_admitted(register, 4))
    ada, bob, *_rest = assembly.roll.order_by("member_number")

    errors = run_in_threads(
        [
            lambda: proxy_give(assembly=assembly, giver=ada, holder=bob, actor=None),
            lambda: proxy_give(assembly=assembly, giver=bob, holder=ada, actor=None),
        ]
    )

    assert Proxy.objects.count() == 1
    assert len(errors) == 1
