"""`make run` seeds a demo cooperative on an empty database, and only then."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command

from capital.selectors import capital_at, member_balance
from coop.models import Statutes, User
from members.models import Member

pytestmark = pytest.mark.django_db


def test_demo_cooperative_on_an_empty_database(capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "admin@voliere.test" in out and "demo-voliere-2026" in out
    assert Statutes.objects.count() == 1
    marcel = Member.objects.get(user__email="membre@voliere.test")
    assert (marcel.status, marcel.college.code) == ("ratified", "users")
    assert Member.objects.filter(status="applicant").count() == 1
    assert capital_at(on=dt.date(2025, 6, 1)) == Decimal("1600.00")
    balance = member_balance(member=marcel, on=dt.date(2025, 6, 1))
    assert (balance.shares, balance.paid, balance.unpaid) == (8, Decimal(200), Decimal(200))
    admin = User.objects.get(email="admin@voliere.test")
    assert admin.is_staff and admin.groups.filter(name="administrator").exists()


def test_demo_is_not_added_to_a_database_that_has_users(capsys, member_user):
    call_command("seed_demo")
    assert "no demo data added" in capsys.readouterr().out
    assert not Statutes.objects.exists()
    assert not Member.objects.exists()
