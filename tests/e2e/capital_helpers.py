"""Steps shared by the share capital's browser tests: a member with a login account, amounts and
dates as the French pages show them, the capital desk's forms, and what a PDF says."""

import datetime as dt
import io
from decimal import Decimal

from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from coop import formatting
from members.models import Member
from members.services import member_invite
from tests.capital.factories import member as admitted_member
from tests.coop.factories import UserFactory
from tests.e2e.helpers import assert_accessible, click_and_load, fr, path_is
from tests.e2e.register_helpers import open_admin_page


def member_with_account(register: dict, category: str, **names: str) -> Member:
    """An admitted member (the standard register's `category`) whose login account (password
    `TEST_PASSWORD`, e-mail verified) is linked to their entry as the invitation links it."""
    email = names.pop("email")
    user = UserFactory(email=email, roles=["member"])
    member = admitted_member(register, category, email=email, **names)
    invitation = member_invite(member=member, actor=None)
    assert invitation.user == user
    member.refresh_from_db()
    return member


def fr_euros(value: Decimal | int | str) -> str:
    """An amount as the French pages write it: `1234.5` -> `1 234,50 €` (no-break spaces)."""
    return formatting.money(Decimal(value), language="fr")


def fr_date(day: dt.date) -> str:
    with translation.override("fr"):
        return date_format(day, "DATE_FORMAT")


def open_capital_desk(page: Page) -> None:
    """The administration menu's "Share capital": the capital desk's overview."""
    open_admin_page(page, fr("Share capital"))
    expect(page).to_have_url(path_is(reverse("capital:overview")))
    expect(page.get_by_role("heading", level=1)).to_have_text(fr("Share capital"))


def record_for_member(page: Page, member: Member, action: str) -> None:
    """From the overview: "Record a movement for a member", by member number; `action` is the
    French label of the radio button (a subscription, a payment, a transfer of shares)."""
    form = page.get_by_role("group", name=fr("Record a movement for a member"))
    form.get_by_label(fr("Member number")).fill(str(member.number))
    form.get_by_role("radio", name=action, exact=True).check()
    click_and_load(page, form.get_by_role("button", name=fr("Continue")))
    assert_accessible(page)


def folded(text: str) -> str:
    """A text with its spaces folded as pdf_text folds them (no-break spaces become plain)."""
    return " ".join(text.split())


def pdf_text(content: bytes) -> str:
    """The text of a PDF, its lines joined by spaces."""
    assert content.startswith(b"%PDF-"), content[:40]
    reader = PdfReader(io.BytesIO(content))
    text = " ".join(page.extract_text() for page in reader.pages)
    return " ".join(text.split())
