"""Demo data of the share capital (called by `manage.py seed_demo` after the register's)."""

import datetime as dt
from decimal import Decimal
from typing import Any

from capital.services import share_pay, share_subscribe
from members.models import Member

# (member's e-mail, shares, paid now in €): the demo nominal value is 50 €.
SUBSCRIPTIONS = [
    ("admin@voliere.test", 20, Decimal("1000.00")),
    ("organisatrice@voliere.test", 4, Decimal("200.00")),
    ("membre@voliere.test", 8, Decimal("100.00")),
]


def seed(*, users: dict[str, Any]) -> None:
    for email, shares, paid in SUBSCRIPTIONS:
        share_subscribe(
            member=Member.objects.get(user=users[email]),
            shares=shares,
            paid_amount=paid,
            effective_on=dt.date(2024, 2, 1),
            due_on=None if paid == shares * Decimal(50) else dt.date(2026, 2, 1),
            decision_ref="Bulletin de souscription",
            actor=None,
        )
    share_pay(
        member=Member.objects.get(user=users["membre@voliere.test"]),
        amount=Decimal("100.00"),
        effective_on=dt.date(2025, 2, 1),
        decision_ref="Virement du 1er février 2025",
        actor=None,
    )
