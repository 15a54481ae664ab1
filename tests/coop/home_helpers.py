"""Data for the home page's tests (tests/coop/test_home.py and the browser's)."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from capital.services import share_subscribe
from governance.models import RollEntry
from governance.services.proxies import proxy_give
from heritage.services import community_join
from members.models import Member
from tests.coop.factories import UserFactory
from tests.governance.factories import convened_assembly, members_admitted, statutes_and_register
from tests.heritage.factories import community, gathering


def subscribe(member, shares, on):
    return share_subscribe(
        member=member,
        shares=shares,
        paid_amount=Decimal(50) * shares,
        effective_on=on,
        due_on=None,
        decision_ref="Bulletin",
        actor=None,
    )


def member_world() -> dict:
    """Ada, a member with an account, on the roll of a convened assembly where she holds the
    proxies of Bob and Carl (the statutes allow 3 per holder); shares; a community of hers
    with a gathering."""
    register = statutes_and_register(proxy_limit_small_roll=3)
    members = members_admitted(register, 5)
    user = UserFactory(roles=["member"])
    ada = members[0]
    Member.objects.filter(pk=ada.pk).update(user=user)
    assembly = convened_assembly(members=members, title="Assemblée générale ordinaire 2027")
    entries = {e.member_id: e for e in RollEntry.objects.filter(assembly=assembly)}
    proxy_give(assembly=assembly, giver=entries[members[1].pk], holder=entries[ada.pk], actor=None)
    proxy_give(assembly=assembly, giver=entries[members[2].pk], holder=entries[ada.pk], actor=None)
    subscribe(ada, 3, timezone.localdate() - dt.timedelta(days=30))
    subscribe(ada, 2, timezone.localdate() - dt.timedelta(days=10))
    canuts = community(name="Mémoire des canuts")
    community_join(community=canuts, user=user, notify=False)
    walk = gathering(of=canuts, title="Balade des traboules")
    return {
        "user": user,
        "ada": ada,
        "assembly": assembly,
        "entries": entries,
        "members": members,
        "community": canuts,
        "gathering": walk,
        "register": register,
    }
