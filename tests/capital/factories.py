import datetime as dt
from decimal import Decimal

from capital.services import share_subscribe
from tests.coop.factories import StatutesFactory
from tests.members.factories import admitted, standard_register

DAY = dt.date(2025, 3, 1)


def capital_setup(**statutes):
    """Statutes in force since 2020 (nominal 50 €, 1/4 paid now, floor 1/4, cap 1/2) and the
    standard register."""
    StatutesFactory(effective_from=dt.date(2020, 1, 1), **statutes)
    return standard_register()


def member(register, category="volunteer", **kwargs):
    cat = register["categories"][category]
    return admitted(cat, cat.default_college, **kwargs)


def subscribe(who, shares, *, paid=None, on=DAY, due_on=None, actor=None):
    """Subscribe `shares` at 50 €, fully paid unless `paid` says otherwise."""
    amount = Decimal(50) * shares
    paid = amount if paid is None else Decimal(paid)
    return share_subscribe(
        member=who,
        shares=shares,
        paid_amount=paid,
        effective_on=on,
        due_on=due_on if paid == amount else (due_on or on.replace(year=on.year + 1)),
        decision_ref="Bulletin de souscription",
        actor=actor,
    )
