"""The three home pages after signing in (member, administrator, organiser), on a desktop
screen and on a 320-pixel phone: what each reads, where its links go, nothing off screen,
every target at least 24 pixels, axe-clean."""

import re
from collections.abc import Iterator

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from tests.coop.factories import TEST_PASSWORD, UserFactory
from tests.coop.home_helpers import member_world
from tests.coop.mfa import activate_totp
from tests.e2e.helpers import (
    assert_accessible,
    click_and_load,
    fr,
    new_context,
    path_is,
    sign_in_with_password,
)
from tests.e2e.register_helpers import sign_in_as_administrator
from tests.governance.factories import convened_assembly, members_admitted, statutes_and_register
from tests.heritage.factories import community, gathering
from tests.members.factories import apply

pytestmark = pytest.mark.e2e

MIN_TARGET = 24  # WCAG 2.2, 2.5.8 Target Size (Minimum), in CSS pixels
SCREENS = {"desktop": 1280, "phone": 320}


@pytest.fixture(params=sorted(SCREENS))
def screen(request, browser: Browser, live_server) -> Iterator[tuple[Page, int]]:
    """A page on a desktop screen, then on a 320-pixel phone (touch, high density)."""
    width = SCREENS[request.param]
    options: dict = {"viewport": {"width": width, "height": 800}}
    if request.param == "phone":
        options.update(device_scale_factor=2, is_mobile=True, has_touch=True)
    context = new_context(browser, live_server.url, **options)
    yield context.new_page(), width
    context.close()


def assert_fits(page: Page, width: int) -> None:
    """Nothing scrolls sideways; every link and button of the header, every button and every
    link of a list on the page is whole on screen and at least 24 pixels high; radios and
    check boxes 24 by 24. (Links inside a sentence are exempt in WCAG 2.5.8.)"""
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} is {scroll_width}px wide on a {width}px screen"
    controls = page.locator("header a, header button, main button, main li > a")
    for index in range(controls.count()):
        control = controls.nth(index)
        if not control.is_visible():
            continue
        box = control.bounding_box()
        assert box is not None
        name = control.inner_text().strip()[:40]
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, f"{name!r} off screen"
        assert box["height"] >= MIN_TARGET - 0.5, f"{name!r} is {box['height']}px high"
    boxes = page.locator("main input[type=radio], main input[type=checkbox]")
    for index in range(boxes.count()):
        box = boxes.nth(index).bounding_box()
        assert box is not None
        assert min(box["width"], box["height"]) >= MIN_TARGET - 0.5, f"a choice is {box}"


def test_the_member_home_page(screen, transactional_db) -> None:
    page, width = screen
    world = member_world()
    title = world["assembly"].title
    sign_in_with_password(page, world["user"].email, TEST_PASSWORD)  # lands home, axe-clean

    main = page.get_by_role("main")
    expect(main.get_by_role("heading", level=1)).to_have_text(world["assembly"].statutes.name)
    expect(main).to_contain_text(fr("You have not voted yet."))
    expect(main).to_contain_text("Vous détenez 2 procurations :")
    expect(main).to_contain_text(world["gathering"].title)
    expect(main.get_by_role("link", name=re.compile("^Certificat de parts n°"))).to_have_count(2)
    assert_fits(page, width)

    # What waits for her first: her own vote, then her principals'.
    waiting = main.get_by_role("region", name=fr("Waiting for you"))
    vote = waiting.get_by_role("link", name=fr("Vote in “%(title)s”") % {"title": title})
    expect(vote).to_be_visible()
    click_and_load(page, vote)
    expect(page).to_have_url(path_is(reverse("governance:ballot", args=[world["assembly"].pk])))
    assert_accessible(page)
    assert_fits(page, width)


def test_the_administrator_home_page(screen, transactional_db) -> None:
    page, width = screen
    register = statutes_and_register()
    for name in ("Dupont", "Martin"):
        apply(register["categories"]["volunteer"], last_name=name, email=f"{name}@example.org")
    convened_assembly(members=members_admitted(register, 3), title="AG 2027")
    administrator = UserFactory(roles=["administrator", "member"], is_staff=True)
    sign_in_as_administrator(page, administrator.email, activate_totp(administrator))

    part = page.get_by_role("region", name=fr("Administration"))
    applications = part.get_by_role("link", name="2 candidatures à examiner")
    expect(applications).to_be_visible()
    expect(part).to_contain_text("« AG 2027 » est convoquée : la réunion a lieu le")
    ratify = "3 admissions à faire ratifier par la prochaine assemblée"
    expect(part.get_by_role("link", name=ratify)).to_be_visible()
    assert_fits(page, width)

    click_and_load(page, applications)
    expect(page).to_have_url(path_is(reverse("members:applications")))
    assert_accessible(page)


def test_the_organiser_home_page(screen, transactional_db) -> None:
    page, width = screen
    organiser = UserFactory(roles=["organiser"])
    canuts = community(organisers=[organiser])
    full = gathering(of=canuts, title="Balade complète", capacity=1)
    from heritage.services import registration_member_create

    for _n in range(3):
        registration_member_create(gathering=full, user=UserFactory(roles=["member"]))
    gathering(of=canuts, title="Brouillon de visite", publish=False)
    sign_in_with_password(page, organiser.email, TEST_PASSWORD)

    part = page.get_by_role("region", name=fr("Your gatherings to organise"))
    row = part.get_by_role("row").filter(has_text="Balade complète")
    expect(row).to_contain_text("1 / 1")
    expect(row.get_by_role("cell").nth(2)).to_have_text("2")
    expect(row).to_contain_text(
        fr("Full, with a waiting list: a seat freed is offered to the next in line.")
    )
    expect(part.get_by_role("row").filter(has_text="Brouillon de visite")).to_contain_text(
        fr("Not published yet: check it and publish it.")
    )
    expect(page.get_by_role("region", name=fr("Your membership"))).to_have_count(0)
    assert_fits(page, width)

    click_and_load(page, row.get_by_role("link", name="Balade complète"))
    expect(page).to_have_url(path_is(reverse("heritage:gathering_manage", args=[full.pk])))
    assert_accessible(page)
