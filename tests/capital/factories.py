import datetime as dt
from decimal import Decimal

from capital.services import accounts_approval_record, share_subscribe
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


def approve_accounts(year=2025, *, on=None, losses="0"):
    """The assembly approves the accounts of the financial year `year` (31 December), by
    default on 15 June of the next year, with `losses` per share."""
    return accounts_approval_record(
        year=year,
        approved_on=on or dt.date(year + 1, 6, 15),
        decision_ref=f"AG {year + 1}",
        losses_per_share=Decimal(losses),
        actor=None,
    )
