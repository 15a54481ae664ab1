"""Heritage communities in the browser: an administrator creates a community and names its
organiser; a visitor joins as a participant after checking their e-mail address; a member
joins and leaves from "My communities"; an organiser records who came. Every page is checked
with axe-core; the list of gatherings works without JavaScript."""

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from coop.models import NoticeDelivery
from heritage.models import CommunityMembership, Gathering, HeritageCommunity, Registration
from heritage.services import notices, registration_member_create
from tests.coop.factories import TEST_PASSWORD, UserFactory
from tests.coop.mfa import activate_totp
from tests.e2e.helpers import assert_accessible, click_and_load, fr, path_is, sign_in_with_password
from tests.e2e.register_helpers import sign_in_as_administrator
from tests.heritage.factories import community, gathering

pytestmark = pytest.mark.e2e


def test_an_administrator_creates_a_community_and_names_its_organiser(page: Page) -> None:
    administrator = UserFactory(roles=["administrator", "member"], is_staff=True)
    secret = activate_totp(administrator)
    organiser = UserFactory(email="olympe@example.org")
    sign_in_as_administrator(page, administrator.email, secret)
    page.goto(reverse("heritage:admin_communities"))
    assert_accessible(page)
    click_and_load(page, page.get_by_role("link", name=fr("Create a community")))
    assert_accessible(page)
    page.get_by_label(fr("Name"), exact=False).first.fill("Canuts de la Croix-Rousse")
    page.get_by_label(fr("Territory")).fill("Lyon, Croix-Rousse")
    page.get_by_label(fr("Organisers")).fill("personne@example.org")
    click_and_load(page, page.get_by_role("button", name=fr("Save"), exact=True))
    assert_accessible(page)
    expect(page.get_by_role("alert")).to_contain_text("personne@example.org")
    assert not HeritageCommunity.objects.exists()
    page.get_by_label(fr("Organisers")).fill("Olympe@example.org")
    click_and_load(page, page.get_by_role("button", name=fr("Save"), exact=True))
    expect(page).to_have_url(path_is(reverse("heritage:admin_communities")))
    assert_accessible(page)
    expect(page.get_by_role("table")).to_contain_text("olympe@example.org")
    made = HeritageCommunity.objects.get()
    assert list(made.organisers.all()) == [organiser]
    assert organiser.groups.filter(name="organiser").exists()


def test_a_visitor_joins_a_community_as_a_participant(page: Page) -> None:
    canuts = community(name="Canuts de la Croix-Rousse")
    page.goto(reverse("heritage:communities"))
    assert_accessible(page)
    click_and_load(page, page.get_by_role("link", name="Canuts de la Croix-Rousse"))
    assert_accessible(page)
    form = page.get_by_role("group", name=fr("Join as a participant"))
    form.get_by_label(fr("Your name")).fill("Louise Labé")
    form.get_by_label(fr("Your e-mail address")).fill("louise@example.org")
    form.get_by_label(fr("Tell me by e-mail when the community publishes a gathering")).check()
    click_and_load(page, form.get_by_role("button", name=fr("Join as a participant")))
    assert_accessible(page)
    expect(page.locator("#check-email")).to_contain_text("louise@example.org")
    assert not CommunityMembership.objects.exists()

    body = NoticeDelivery.objects.get(notice__kind=notices.PARTICIPANT_VERIFY).body_text
    (link,) = [
        urlsplit(url).path for url in re.findall(r"https?://\S+", body) if "/participate/" in url
    ]
    page.goto(link)
    assert_accessible(page)
    expect(page.locator("#welcome")).to_contain_text("Canuts de la Croix-Rousse")
    membership = CommunityMembership.objects.get()
    assert (membership.community, membership.kind, membership.notify) == (
        canuts,
        CommunityMembership.Kind.PARTICIPANT,
        True,
    )
    assert membership.user.email == "louise@example.org"


def test_a_member_joins_and_leaves_from_my_communities(page: Page) -> None:
    community(name="Canuts de la Croix-Rousse")
    member = UserFactory(roles=["member"])
    sign_in_with_password(page, member.email, TEST_PASSWORD)
    page.goto(reverse("heritage:my"))
    assert_accessible(page)
    row = page.get_by_role("row").filter(has_text="Canuts de la Croix-Rousse")
    click_and_load(page, row.get_by_role("button"))
    assert_accessible(page)
    assert CommunityMembership.objects.filter(user=member).exists()
    expect(page.locator("#messages")).to_contain_text("Canuts de la Croix-Rousse")
    row = page.get_by_role("row").filter(has_text="Canuts de la Croix-Rousse")
    click_and_load(page, row.get_by_role("button"))
    assert_accessible(page)
    assert not CommunityMembership.objects.filter(user=member).exists()


def test_an_organiser_records_who_came(page: Page) -> None:
    organiser = UserFactory(roles=["organiser", "member"])
    event = gathering(of=community(organisers=[organiser]), title="Atelier", capacity=3)
    came, missed = UserFactory(roles=["member"]), UserFactory(roles=["member"])
    for person in (came, missed):
        registration_member_create(gathering=event, user=person)
    Gathering.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=2),
        ends_at=timezone.now() - dt.timedelta(hours=1),
    )
    sign_in_with_password(page, organiser.email, TEST_PASSWORD)
    page.goto(reverse("heritage:organise"))
    assert_accessible(page)
    click_and_load(page, page.get_by_role("link", name="Atelier"))
    assert_accessible(page)
    attendance = page.get_by_role("group", name=fr("Who came?"))
    attendance.get_by_label(came.get_full_name()).check()
    click_and_load(page, page.get_by_role("button", name=fr("Save the attendance")))
    assert_accessible(page)
    expect(page.locator("#messages")).to_contain_text(fr("The attendance is saved."))
    assert Registration.objects.get(user=came).attended is True
    assert Registration.objects.get(user=missed).attended is False
    event.refresh_from_db()
    assert event.status == Gathering.Status.HELD


def test_the_list_of_gatherings_filters_without_javascript(nojs_page: Page) -> None:
    lyon, vienne = community(name="Lyon"), community(name="Vienne")
    gathering(of=lyon, title="Balade à Lyon")
    gathering(of=vienne, title="Visite à Vienne")
    nojs_page.goto(reverse("heritage:gatherings"))
    assert_accessible(nojs_page)
    nojs_page.get_by_label(fr("Community")).select_option(label="Vienne")
    click_and_load(nojs_page, nojs_page.get_by_role("button", name=fr("Show"), exact=True))
    assert_accessible(nojs_page)
    results = nojs_page.locator("#gathering-results")
    expect(results.get_by_role("link", name="Visite à Vienne")).to_be_visible()
    expect(results.get_by_role("link", name="Balade à Lyon")).to_have_count(0)
