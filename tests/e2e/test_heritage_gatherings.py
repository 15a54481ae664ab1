"""Heritage gatherings in the browser: an organiser publishes a gathering; a visitor registers
as a guest (the link e-mailed to them); a member registers in one click; a full gathering's
waiting line gets the seat freed by a cancellation. Every page is checked with axe-core."""

import datetime as dt
import json
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import pgettext_lazy
from playwright.sync_api import Browser, Page, expect

from coop.models import NoticeDelivery
from heritage.models import Gathering, Registration
from heritage.services import community_join, notices, registration_member_create
from tests.coop.factories import TEST_PASSWORD, UserFactory
from tests.e2e.helpers import (
    assert_accessible,
    click_and_load,
    fr,
    new_context,
    path_is,
    sign_in_with_password,
)
from tests.e2e.register_helpers import fr_text
from tests.heritage.factories import community, gathering

pytestmark = pytest.mark.e2e


@pytest.fixture
def other_page(browser: Browser, live_server) -> Iterator[Page]:
    """Another person's browser (no cookies shared with `page`), asking for French too."""
    context = new_context(browser, live_server.url)
    yield context.new_page()
    context.close()


def _link_path(kind: str, to_email: str, fragment: str) -> str:
    """The path of the link (containing `fragment`) of the notice sent to `to_email`."""
    body = NoticeDelivery.objects.filter(notice__kind=kind, to_email=to_email).latest("id")
    links = [urlsplit(url).path for url in re.findall(r"https?://\S+", body.body_text)]
    (path,) = [link for link in links if fragment in link]
    return path


def _open_gathering_from_list(page: Page, title: str) -> None:
    page.goto(reverse("heritage:gatherings"))
    assert_accessible(page)
    click_and_load(page, page.get_by_role("link", name=title, exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    assert_accessible(page)


def test_an_organiser_prepares_and_publishes_a_gathering(page: Page, other_page: Page) -> None:
    organiser = UserFactory(roles=["organiser", "member"])
    canuts = community(name="Canuts de la Croix-Rousse", organisers=[organiser])
    listener = UserFactory(roles=["member"])
    community_join(community=canuts, user=listener, notify=True)

    sign_in_with_password(page, organiser.email, TEST_PASSWORD)
    page.goto(reverse("heritage:organise"))
    assert_accessible(page)
    click_and_load(page, page.get_by_role("link", name=re.compile(fr("Prepare a gathering"))))
    expect(page).to_have_url(path_is(reverse("heritage:gathering_create", args=[canuts.slug])))
    assert_accessible(page)

    start = (timezone.localtime() + dt.timedelta(days=6)).replace(
        hour=14, minute=0, second=0, microsecond=0
    )
    page.get_by_label(fr("Title")).fill("Balade des traboules")
    page.get_by_label(fr("Description")).fill("Des pentes au plateau.")
    page.get_by_label(fr("Starts at")).fill(start.strftime("%Y-%m-%dT%H:%M"))
    # The end is forgotten before the start: the form says what to correct.
    page.get_by_label(fr("Ends at")).fill(
        (start - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    )
    page.get_by_label(fr("Place")).fill("Place des Terreaux, Lyon")
    page.get_by_label(fr("Capacity (seats)")).fill("15")
    page.get_by_label(fr("Accessibility")).fill("Escaliers et pentes raides.")
    click_and_load(page, page.get_by_role("button", name=fr("Save"), exact=True))
    assert_accessible(page)
    expect(page.get_by_role("alert")).to_contain_text(fr("The gathering must end after it starts."))
    assert not Gathering.objects.exists()
    page.get_by_label(fr("Ends at")).fill(
        (start + dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    )
    click_and_load(page, page.get_by_role("button", name=fr("Save"), exact=True))

    made = Gathering.objects.get()
    expect(page).to_have_url(path_is(reverse("heritage:gathering_manage", args=[made.pk])))
    assert_accessible(page)
    expect(page.locator("#gathering-status")).to_have_text(
        capfirst(fr_text(Gathering.Status.DRAFT.label))
    )
    assert made.starts_at == start
    # Visitors do not see a draft.
    other_page.goto(reverse("heritage:gathering", args=[made.pk]))
    expect(other_page.get_by_role("heading", level=1)).not_to_have_text("Balade des traboules")

    click_and_load(page, page.get_by_role("button", name=fr("Publish"), exact=True))
    assert_accessible(page)
    expect(page.locator("#messages")).to_contain_text(fr("The gathering is published."))
    made.refresh_from_db()
    assert made.status == Gathering.Status.PUBLISHED
    told = NoticeDelivery.objects.get(notice__kind=notices.GATHERING_PUBLISHED)
    assert told.to_email == listener.email
    assert told.language == "fr"

    # Now anyone finds it, with its schema.org data.
    _open_gathering_from_list(other_page, "Balade des traboules")
    data = json.loads(other_page.locator('script[type="application/ld+json"]').text_content())
    assert data["@type"] == "Event"
    assert data["name"] == "Balade des traboules"
    assert dt.datetime.fromisoformat(data["startDate"]) == start


def test_a_visitor_registers_as_a_guest(page: Page) -> None:
    event = gathering(title="Visite de la Maison des Canuts", capacity=5)
    _open_gathering_from_list(page, "Visite de la Maison des Canuts")

    form = page.get_by_role("group", name=fr("Register as a guest"))
    form.get_by_label(fr("Your name")).fill("Louise Labé")
    form.get_by_label(fr("Your e-mail address")).fill("louise")
    click_and_load(page, form.get_by_role("button", name=fr("Register as a guest")))
    assert_accessible(page)
    expect(page.get_by_role("alert")).to_contain_text(fr("Your registration was not sent:"))
    assert not Registration.objects.exists()
    page.get_by_label(fr("Your e-mail address")).fill("louise@example.org")
    click_and_load(page, page.get_by_role("button", name=fr("Register as a guest")))
    assert_accessible(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(fr("Check your e-mail"))
    expect(page.locator("#check-email")).to_contain_text("louise@example.org")
    assert Registration.objects.get().status == Registration.Status.PENDING

    # The link of the e-mail confirms the registration.
    page.goto(_link_path(notices.GUEST_VERIFY, "louise@example.org", "/verify/"))
    assert_accessible(page)
    expect(page.locator("#registration-state")).to_contain_text("Louise Labé")
    assert Registration.objects.get().status == Registration.Status.CONFIRMED
    event.refresh_from_db()
    assert event.seats_taken == 1
    confirmation = NoticeDelivery.objects.get(notice__kind=notices.REGISTRATION_CONFIRMED)
    assert confirmation.to_email == "louise@example.org"


def test_a_member_registers_in_one_click(page: Page) -> None:
    gathering(title="Réunion de la communauté", visibility=Gathering.Visibility.MEMBERS)
    member = UserFactory(roles=["member"])
    # A visitor does not see a gathering kept for members.
    page.goto(reverse("heritage:gatherings"))
    expect(page.get_by_role("link", name="Réunion de la communauté")).to_have_count(0)

    sign_in_with_password(page, member.email, TEST_PASSWORD)
    _open_gathering_from_list(page, "Réunion de la communauté")
    click_and_load(
        page,
        page.get_by_role(
            "button", name=fr_text(pgettext_lazy("sign up for a gathering", "Register")), exact=True
        ),
    )
    assert_accessible(page)
    expect(page.locator("#registration-state")).to_have_text(
        fr("You are registered: your seat is booked.")
    )
    registration = Registration.objects.get()
    assert registration.user == member
    assert registration.status == Registration.Status.CONFIRMED
    page.goto(reverse("heritage:my"))
    assert_accessible(page)
    expect(page.get_by_role("main")).to_contain_text("Réunion de la communauté")


def test_a_full_gathering_offers_the_freed_seat_to_the_waiting_list(
    page: Page, other_page: Page
) -> None:
    event = gathering(title="Atelier de tissage", capacity=1)
    seated = UserFactory(roles=["member"])
    registration_member_create(gathering=event, user=seated)

    # A guest finds the gathering full and joins the waiting line.
    _open_gathering_from_list(other_page, "Atelier de tissage")
    form = other_page.get_by_role("group", name=fr("Register as a guest"))
    form.get_by_label(fr("Your name")).fill("Pernette du Guillet")
    form.get_by_label(fr("Your e-mail address")).fill("pernette@example.org")
    click_and_load(
        other_page, form.get_by_role("button", name=fr("Join the waiting list as a guest"))
    )
    other_page.goto(_link_path(notices.GUEST_VERIFY, "pernette@example.org", "/verify/"))
    assert_accessible(other_page)
    expect(other_page.locator("#registration-state")).to_contain_text("Pernette du Guillet")
    waiting = Registration.objects.get(guest_email="pernette@example.org")
    assert waiting.status == Registration.Status.WAITING
    assert waiting.position == 1

    # The seated member cancels from the link in their confirmation.
    page.goto(_link_path(notices.REGISTRATION_CONFIRMED, seated.email, "/cancel/"))
    assert_accessible(page)
    click_and_load(page, page.get_by_role("button", name=fr("Cancel my registration")))
    assert_accessible(page)
    expect(page.locator("#cancelled")).to_be_visible()

    # The first of the line is offered the seat, with a deadline, and takes it.
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.OFFERED
    other_page.goto(_link_path(notices.SEAT_OFFERED, "pernette@example.org", "/offer/"))
    assert_accessible(other_page)
    click_and_load(other_page, other_page.get_by_role("button", name=fr("Take the seat")))
    assert_accessible(other_page)
    expect(other_page.locator("#registration-state")).to_contain_text("Pernette du Guillet")
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.CONFIRMED
    event.refresh_from_db()
    assert event.seats_taken == 1
