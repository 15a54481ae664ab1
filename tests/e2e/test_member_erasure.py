"""Erasure on request in the browser: an administrator opens a former member's entry, reads
what will be erased and what is kept, types a wrong number, then the right one. Every page is
checked with axe-core."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from playwright.sync_api import Page, expect

from members.models import Member
from members.services import member_exit
from tests.coop.factories import UserFactory
from tests.coop.mfa import activate_totp
from tests.e2e.helpers import assert_accessible, click_and_load, fr, path_is
from tests.e2e.register_helpers import sign_in_as_administrator
from tests.governance.factories import statutes_and_register
from tests.members.factories import admitted

pytestmark = pytest.mark.e2e


@pytest.fixture
def register(transactional_db) -> dict:
    return statutes_and_register()  # the statutes name the cooperative in the exit letter


@pytest.fixture
def administrator(transactional_db) -> tuple[str, str]:
    user = UserFactory(roles=["administrator", "member"], is_staff=True)
    return user.email, activate_totp(user)


def test_administrator_erases_a_former_member_s_personal_data(
    page: Page, register: dict, administrator: tuple[str, str]
) -> None:
    admin_email, totp_secret = administrator
    member = admitted(
        register["categories"]["volunteer"],
        register["colleges"]["supporters"],
        first_name="Jean",
        last_name="Martin",
        email="jean.martin@example.org",
        phone="06 12 34 56 78",
        city="Lyon",
    )
    member_exit(
        member=member,
        status=Member.Status.RESIGNED,
        exited_on=dt.date(2025, 6, 30),
        decision_ref="Lettre du 2 juin 2025",
        actor=None,
    )
    sign_in_as_administrator(page, admin_email, totp_secret)
    detail = reverse("members:member_detail", args=[member.pk])
    page.goto(detail)
    click_and_load(page, page.get_by_role("link", name=fr("Erase the personal data")))
    expect(page).to_have_url(path_is(reverse("members:member_erasure", args=[member.pk])))
    assert_accessible(page)
    erased = page.get_by_role("list", name=fr("What will be erased"))
    expect(erased).to_contain_text(fr("telephone"), ignore_case=True)
    kept = page.get_by_role("list", name=fr("What is kept, and why"))
    expect(kept).to_contain_text(fr("The entry in the register"))

    field = page.get_by_label(fr("Member number, typed to confirm"))
    field.fill(str(member.number + 1))
    click_and_load(page, page.get_by_role("button", name=fr("Erase for good")))
    expect(page.get_by_role("alert")).to_contain_text(
        fr("Type the member number %(number)d to confirm the erasure.") % {"number": member.number}
    )
    assert_accessible(page)
    member.refresh_from_db()
    assert member.phone == "06 12 34 56 78"

    page.get_by_label(fr("Member number, typed to confirm")).fill(str(member.number))
    click_and_load(page, page.get_by_role("button", name=fr("Erase for good")))
    expect(page).to_have_url(path_is(detail))
    with translation.override("fr"):
        keep_until = date_format(dt.date(2030, 6, 30), "DATE_FORMAT")
    expect(page.locator("#messages")).to_contain_text(
        fr(
            "The personal data of %(member)s beyond the register is erased; the entry "
            "is kept until %(date)s."
        )
        % {"member": "Jean Martin", "date": keep_until}
    )
    assert_accessible(page)
    member.refresh_from_db()
    assert (member.phone, member.email, member.city) == ("", "", "")
    assert (member.number, member.last_name, member.exit_ref) == (
        1,
        "Martin",
        "Lettre du 2 juin 2025",
    )
