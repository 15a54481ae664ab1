"""Room counts in the browser (RULES 32): the bureau enters a count, is refused one above the
voices in the room, corrects the count with a reason before the tally, closes the vote, and the
results and the minutes show the value first entered, the correction and its reason. Every page
is checked with axe-core."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from governance.models import Assembly, AssemblyCollege, ResolutionResult, RollEntry, RoomCount
from tests.coop.factories import UserFactory
from tests.coop.mfa import activate_totp
from tests.e2e.capital_helpers import pdf_text
from tests.e2e.helpers import assert_accessible, click_and_load, fr
from tests.e2e.register_helpers import sign_in_as_administrator
from tests.governance.factories import convened_assembly, members_admitted, statutes_and_register

pytestmark = pytest.mark.e2e

REASON = "Une main levée comptée deux fois"


@pytest.fixture
def assembly(transactional_db) -> Assembly:
    """A meeting held today: two members per college, everyone in the room, the meeting open."""
    register = statutes_and_register()
    members = (
        members_admitted(register, 2, category="employee")
        + members_admitted(register, 2, category="beneficiary")
        + members_admitted(register, 2, category="volunteer")
    )
    starts_at = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(minutes=30)
    assembly = convened_assembly(members=members, resolutions=1, starts_at=starts_at)
    RollEntry.objects.filter(assembly=assembly).update(present_at=timezone.now())
    Assembly.objects.filter(pk=assembly.pk).update(
        status=Assembly.Status.VOTING_OPEN,
        meeting_opened_at=timezone.now(),
        voting_opened_at=timezone.now(),
    )
    return Assembly.objects.get(pk=assembly.pk)


@pytest.fixture
def administrator(transactional_db) -> tuple[str, str]:
    user = UserFactory(roles=["administrator", "member"], is_staff=True)
    return user.email, activate_totp(user)


def test_the_bureau_corrects_a_room_count_before_the_tally_and_the_minutes_show_it(
    page: Page, assembly: Assembly, administrator: tuple[str, str], eager_celery: None
) -> None:
    resolution = assembly.resolutions.get()
    employees = AssemblyCollege.objects.get(assembly=assembly, name="Salariés")
    sign_in_as_administrator(page, *administrator)
    page.goto(reverse("governance:vote_control", kwargs={"pk": assembly.pk}))
    assert_accessible(page)
    row = page.locator(f"#room-1-{employees.pk}")
    expect(row).to_contain_text(
        fr(
            "(%(present)s present, %(represented)s represented by members present, "
            "%(voted)s already voted online)"
        )
        % {"present": 2, "represented": 0, "voted": 0}
    )
    expect(row).to_contain_text(fr("not recorded"))

    # Three hands for a college with two voices in the room: refused, with the figures.
    record = page.locator(
        f"form[action='{reverse('governance:vote_room_count', args=[assembly.pk])}']"
    )
    record.get_by_label(fr("Resolution")).select_option(str(resolution.pk))
    record.get_by_label(fr("College")).select_option(str(employees.pk))
    record.get_by_label(fr("For")).fill("3")
    record.get_by_label(fr("Against")).fill("0")
    record.get_by_label(fr("Abstentions")).fill("0")
    click_and_load(page, record.get_by_role("button", name=fr("Record the count")))
    assert_accessible(page)
    expect(page.get_by_role("alert")).to_contain_text("Au plus 2 voix peuvent être comptées")
    assert not RoomCount.objects.exists()

    record = page.locator(
        f"form[action='{reverse('governance:vote_room_count', args=[assembly.pk])}']"
    )
    record.get_by_label(fr("For")).fill("2")
    click_and_load(page, record.get_by_role("button", name=fr("Record the count")))
    assert_accessible(page)
    row = page.locator(f"#room-1-{employees.pk}")
    expect(row.locator(".room-current")).to_have_text(
        re.compile(r"pour : 2, contre : 0, abstentions : 0")
    )

    # One of the two hands was counted twice: the bureau corrects before the tally.
    correction = row.locator("details.room-correct")
    correction.locator("summary").click()
    correction.get_by_label(fr("For")).fill("1")
    correction.get_by_label(fr("Against")).fill("0")
    correction.get_by_label(fr("Abstentions")).fill("0")
    correction.get_by_label(fr("Reason for the correction")).fill(REASON)
    assert_accessible(page)
    click_and_load(page, correction.get_by_role("button", name=fr("Correct the count")))
    assert_accessible(page)
    expect(page.locator("#messages")).to_contain_text(
        fr("The count of the room is corrected; the value first entered is kept.")
    )
    row = page.locator(f"#room-1-{employees.pk}")
    expect(row.locator(".room-current")).to_have_text(
        re.compile(r"pour : 1, contre : 0, abstentions : 0")
    )
    expect(row).to_contain_text(f"pour ce motif : {REASON}")
    first, fixed = RoomCount.objects.order_by("pk")
    assert (first.votes_for, fixed.votes_for, fixed.corrects_id) == (2, 1, first.pk)

    # The vote closes, the tally runs (eagerly here) and counts the corrected value only.
    click_and_load(page, page.get_by_role("button", name=fr("Close the vote")))
    assert_accessible(page)
    result = ResolutionResult.objects.get(resolution=resolution)
    assert (result.votes_for, result.votes_against) == (1, 0)
    expect(page.locator(f"#room-1-{employees.pk}")).to_contain_text(f"pour ce motif : {REASON}")
    expect(page.locator("details.room-correct")).to_have_count(0)
    click_and_load(page, page.get_by_role("button", name=fr("Publish the results")))
    assert_accessible(page)

    page.goto(reverse("governance:results", kwargs={"pk": assembly.pk}))
    assert_accessible(page)
    corrections = page.locator(".room-corrections")
    expect(corrections).to_contain_text("Compté en séance pour le collège Salariés")
    expect(corrections).to_contain_text("pour : 2, contre : 0, abstentions : 0")
    expect(corrections).to_contain_text(f"pour ce motif : {REASON}")

    page.goto(reverse("governance:minutes_edit", kwargs={"pk": assembly.pk}))
    assert_accessible(page)
    page.get_by_label(fr("Summary of the debates")).fill("Les comptes sont approuvés.")
    click_and_load(page, page.get_by_role("button", name=fr("Save the minutes")))
    assert_accessible(page)
    link = page.get_by_role("link", name=fr("The draft minutes (PDF)"))
    expect(link).to_be_visible()
    # Fetched with the browser's session (WeasyPrint may take longer than a download waits).
    minutes = page.request.get(link.get_attribute("href"), timeout=120_000)
    assert minutes.ok and minutes.headers["content-type"] == "application/pdf"
    text = pdf_text(minutes.body())
    assert fr("Counts of the room corrected before the tally:") in text
    assert "Compté en séance pour le collège Salariés : pour : 1, contre : 0" in text
    assert "Saisi d'abord le" in text and "pour : 2, contre : 0, abstentions : 0." in text
    assert f"pour ce motif : {REASON} ; nouveau décompte : pour : 1" in text
