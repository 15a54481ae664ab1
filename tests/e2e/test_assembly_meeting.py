"""General assemblies in the browser: a member gives and revokes a proxy; the meeting desk checks
members in while the live figures update without reloading; the attendance sheet is downloaded.
Every page is checked with axe-core."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from coop.models import Job
from governance.jobs import ATTENDANCE_SHEET
from governance.models import Proxy, RollEntry
from governance.services.meeting import roll_entry_check_in
from governance.services.proxies import proxy_give
from members.models import Member
from tests.coop.conftest import celery_queue, celery_workers, smtp_sink  # noqa: F401
from tests.coop.factories import TEST_PASSWORD, UserFactory
from tests.coop.mfa import activate_totp
from tests.e2e.capital_helpers import pdf_text
from tests.e2e.helpers import (
    assert_accessible,
    click_and_load,
    fr,
    new_context,
    path_is,
    sign_in_with_password,
)
from tests.e2e.register_helpers import fact, fr_plural, sign_in_as_administrator
from tests.governance.factories import (
    convened_assembly,
    meeting_today,
    members_admitted,
    statutes_and_register,
    voted_at_distance,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
def assembly(transactional_db):
    """A convened ordinary assembly (first convocation: quorum 1/5) with a roll of 10 members,
    the first two named so that a search finds them."""
    register = statutes_and_register(name="Les Communs d'Oisans")
    members = members_admitted(register, 10)
    Member.objects.filter(pk=members[0].pk).update(first_name="Camille", last_name="Lefèvre")
    Member.objects.filter(pk=members[1].pk).update(first_name="Jules", last_name="Vasseur")
    for number, member in enumerate(members):
        Member.objects.filter(pk=member.pk).update(address=f"{number + 1} rue du Lac")
    members = list(Member.objects.filter(pk__in=[m.pk for m in members]).order_by("number"))
    # Convened for today: the meeting opens on its day (RULES 31).
    return convened_assembly(
        members=members, title="Assemblée générale ordinaire 2026", starts_at=meeting_today()
    )


@pytest.fixture
def administrator(transactional_db) -> tuple[str, str]:
    user = UserFactory(roles=["administrator", "member"], is_staff=True)
    return user.email, activate_totp(user)


@pytest.fixture
def member_page(browser: Browser, live_server) -> Iterator[Page]:
    context = new_context(browser, live_server.url)
    yield context.new_page()
    context.close()


def _entries(assembly) -> list[RollEntry]:
    return list(assembly.roll.order_by("member_number"))


def test_member_gives_and_revokes_a_proxy(page: Page, member_page: Page, assembly) -> None:
    camille, jules, *_rest = _entries(assembly)
    user = UserFactory(email=camille.member.email, roles=["member"])
    Member.objects.filter(pk=camille.member_id).update(user=user)
    holder_user = UserFactory(email=jules.member.email, roles=["member"])
    Member.objects.filter(pk=jules.member_id).update(user=holder_user)

    sign_in_with_password(page, user.email, TEST_PASSWORD)
    page.goto(reverse("governance:my_assemblies"))
    assert_accessible(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(fr("My assemblies"))
    click_and_load(page, page.get_by_role("link", name="Assemblée générale ordinaire 2026"))
    expect(page).to_have_url(path_is(reverse("governance:detail", args=[assembly.pk])))
    assert_accessible(page)
    expect(fact(page, fr("Your proxy"))).to_have_text(fr("You have not given a proxy."))
    expect(page.get_by_role("main")).to_contain_text("L'assemblée générale approuve le point 1.")

    # The search among the roll updates in place (htmx), without leaving the page.
    page.evaluate("window.stayedOnThePage = true")
    search = page.get_by_role("search", name=fr("Find the member who will hold your proxy"))
    search.get_by_label(fr("Name or member number")).fill("Vasse")
    give = page.get_by_role("button", name=fr("Give my proxy to %(name)s") % {"name": jules.name})
    expect(give).to_be_visible()
    assert page.evaluate("window.stayedOnThePage") is True
    assert_accessible(page)

    click_and_load(page, give)
    expect(page).to_have_url(path_is(reverse("governance:detail", args=[assembly.pk])))
    assert_accessible(page)
    expect(page.locator("#messages")).to_contain_text(
        fr("Your proxy is recorded: %(holder)s will represent you at this assembly.")
        % {"holder": jules.name}
    )
    expect(fact(page, fr("Your proxy"))).to_contain_text(jules.name)
    proxy = Proxy.objects.get()
    assert (proxy.giver, proxy.holder, proxy.revoked_at) == (camille, jules, None)

    # The holder sees the proxy they hold.
    sign_in_with_password(member_page, holder_user.email, TEST_PASSWORD)
    member_page.goto(reverse("governance:my_assemblies"))
    expect(member_page.get_by_role("main")).to_contain_text(
        fr_plural("You hold %(counter)s proxy.", "You hold %(counter)s proxies.", 1)
    )
    assert_accessible(member_page)
    member_page.goto(reverse("governance:detail", args=[assembly.pk]))
    expect(fact(member_page, fr("Proxies you hold"))).to_contain_text(camille.name)
    assert_accessible(member_page)

    # Camille revokes it.
    click_and_load(page, page.get_by_role("button", name=fr("Revoke my proxy")))
    assert_accessible(page)
    expect(page.locator("#messages")).to_contain_text(
        fr("Your proxy to %(holder)s is revoked: you can vote or attend yourself.")
        % {"holder": jules.name}
    )
    expect(fact(page, fr("Your proxy"))).to_have_text(fr("You have not given a proxy."))
    proxy.refresh_from_db()
    assert proxy.revoked_at is not None


def test_check_in_with_live_quorum_figures(page: Page, assembly, administrator) -> None:
    camille, jules, third, fourth, *_rest = _entries(assembly)
    admin_email, totp_secret = administrator
    sign_in_as_administrator(page, admin_email, totp_secret)
    page.set_viewport_size({"width": 800, "height": 1100})  # a tablet
    page.goto(reverse("governance:meeting", args=[assembly.pk]))
    assert_accessible(page)
    expect(page.locator("#figure-roll")).to_have_text("10")
    expect(page.locator("#figure-present")).to_have_text("0")
    expect(page.locator("#figure-reached")).to_contain_text(
        fr_plural(
            "not reached: %(counter)s member missing", "not reached: %(counter)s members missing", 2
        )
    )

    # Search by name and check in.
    search = page.get_by_role("search", name=fr("Find a member of the roll"))
    search.get_by_label(fr("Name or member number")).fill("Lefèvre")
    check_in = page.get_by_role("button", name=fr("Check in %(name)s") % {"name": camille.name})
    expect(check_in).to_be_visible()
    assert_accessible(page)
    click_and_load(page, check_in)
    assert_accessible(page)
    expect(page.locator("#messages")).to_contain_text(
        fr("%(name)s (no. %(number)s) is checked in as present.")
        % {"name": camille.name, "number": camille.member_number}
    )
    expect(page.locator("#figure-present")).to_have_text("1")
    assert RollEntry.objects.get(pk=camille.pk).present_at is not None

    # Meanwhile another tablet checks a member in, a member gives a proxy to Camille and one
    # votes at distance: the figures follow without reloading the page.
    page.evaluate("window.stayedOnThePage = true")
    voted_at_distance(fourth)
    roll_entry_check_in(roll_entry=jules, actor=None)
    proxy_give(assembly=assembly, giver=third, holder=camille, actor=None)
    expect(page.locator("#figure-present")).to_have_text("2")
    expect(page.locator("#figure-represented")).to_have_text("1")
    expect(page.locator("#figure-distance")).to_have_text("1")
    expect(page.locator("#figure-total")).to_have_text("4")
    expect(page.locator("#figure-reached")).to_have_text(fr("reached"))
    assert page.evaluate("window.stayedOnThePage") is True
    assert_accessible(page)

    # The QR code of a convocation opens the confirmation of who it is.
    fifth = _entries(assembly)[4]
    page.goto(reverse("governance:check_in_token", args=[fifth.check_in_token]))
    assert_accessible(page)
    click_and_load(
        page,
        page.get_by_role(
            "button", name=fr("Confirm the check-in of %(name)s") % {"name": fifth.name}
        ),
    )
    expect(page).to_have_url(path_is(reverse("governance:meeting", args=[assembly.pk])))
    expect(page.locator("#figure-present")).to_have_text("3")
    assert_accessible(page)


def test_attendance_sheet_download(
    page: Page, assembly, administrator, request, monkeypatch, jobs_root
) -> None:
    """The sheet is written by a job (a real worker): the page shows its progress, then offers
    the file."""
    monkeypatch.setenv("JOBS_ROOT", str(jobs_root))
    request.getfixturevalue("celery_workers")("worker")
    camille, jules, third, fourth, *_rest = _entries(assembly)
    roll_entry_check_in(roll_entry=camille, actor=None)
    proxy_give(assembly=assembly, giver=jules, holder=camille, actor=None)
    voted_at_distance(third)
    admin_email, totp_secret = administrator
    sign_in_as_administrator(page, admin_email, totp_secret)

    page.goto(reverse("governance:meeting_bureau", args=[assembly.pk]))
    assert_accessible(page)
    for role, name in (
        ("chair", "Marie Curie"),
        ("scrutineer", "Inès Roux"),
        ("secretary", "Paul Morel"),
    ):
        page.get_by_label(fr("Role")).select_option(role)
        page.locator("#id_name").fill(name)
        click_and_load(page, page.get_by_role("button", name=fr("Record in the bureau")))
        assert_accessible(page)
    click_and_load(page, page.get_by_role("button", name=fr("Open the meeting")))
    expect(page).to_have_url(path_is(reverse("governance:meeting", args=[assembly.pk])))
    assert_accessible(page)

    click_and_load(page, page.get_by_role("button", name=fr("Attendance sheet (PDF)")))
    job = Job.objects.get(kind=ATTENDANCE_SHEET)
    expect(page).to_have_url(path_is(reverse("jobs:detail", args=[job.pk])))
    download_words = fr("Download %(name)s (%(size)s)").split("%(name)s")[0]
    download_link = page.get_by_role("link", name=re.compile("^" + re.escape(download_words)))
    expect(download_link).to_be_visible(timeout=120_000)
    assert_accessible(page)
    with page.expect_download() as download_info:
        download_link.click()
    text = pdf_text(Path(download_info.value.path()).read_bytes())
    assert "Les Communs d'Oisans" in text
    for entry in (camille, jules, third):
        assert entry.name in text
        assert entry.address in text
    assert fourth.name not in text
    assert (
        fr("represented by %(holder)s (no. %(number)s)")
        % {"holder": camille.name, "number": camille.member_number}
        in text
    )
    for name in ("Marie Curie", "Inès Roux", "Paul Morel"):
        assert name in text


def test_member_gives_a_proxy_without_javascript(nojs_page: Page, assembly) -> None:
    camille, jules, *_rest = _entries(assembly)
    user = UserFactory(email=camille.member.email, roles=["member"])
    Member.objects.filter(pk=camille.member_id).update(user=user)
    page = nojs_page

    sign_in_with_password(page, user.email, TEST_PASSWORD)
    page.goto(reverse("governance:detail", args=[assembly.pk]))
    search = page.get_by_role("search", name=fr("Find the member who will hold your proxy"))
    search.get_by_label(fr("Name or member number")).fill(str(jules.member_number))
    click_and_load(page, search.get_by_role("button", name=fr("Search")))
    assert_accessible(page)
    give = page.get_by_role("button", name=fr("Give my proxy to %(name)s") % {"name": jules.name})
    click_and_load(page, give)
    assert_accessible(page)
    expect(fact(page, fr("Your proxy"))).to_contain_text(jules.name)
    assert Proxy.objects.get(revoked_at__isnull=True).holder == jules
