"""The paper path in the browser (RULES 33, 34): the bureau records, with the keyboard, a
postal form found by the reference printed on the letter and a blank paper proxy; the chair
closes the online vote; the results count them in the members' colleges and the minutes say
how they voted. Every page is checked with axe-core."""

import datetime as dt

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from governance.models import Assembly, PaperForm, ResolutionResult, RollEntry
from governance.references import roll_reference
from tests.coop.factories import UserFactory
from tests.coop.mfa import activate_totp
from tests.e2e.capital_helpers import pdf_text
from tests.e2e.helpers import assert_accessible, click_and_load, fr
from tests.e2e.register_helpers import sign_in_as_administrator
from tests.governance.factories import (
    convened_assembly,
    meeting_today,
    members_admitted,
    statutes_and_register,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
def assembly(transactional_db) -> Assembly:
    """An online-only assembly whose vote the chair closes today; two members per college.
    The board approves resolution 1, not resolution 2."""
    register = statutes_and_register()
    members = (
        members_admitted(register, 2, category="employee")
        + members_admitted(register, 2, category="beneficiary")
        + members_admitted(register, 2, category="volunteer")
    )
    starts_at = meeting_today()
    return convened_assembly(
        members=members,
        resolutions=2,
        positions=(True, False),
        starts_at=starts_at,
        place="",
        online_access="https://visio.example.org/ag",
        distance_vote_deadline=starts_at - dt.timedelta(minutes=1),
    )


@pytest.fixture
def administrator(transactional_db) -> tuple[str, str]:
    user = UserFactory(roles=["administrator", "member"], is_staff=True)
    return user.email, activate_totp(user)


def _press(page: Page, locator, key: str = "Space") -> None:
    locator.focus()
    page.keyboard.press(key)


def test_the_bureau_records_paper_forms_and_the_results_and_minutes_count_them(
    page: Page, assembly: Assembly, administrator: tuple[str, str], eager_celery: None
) -> None:
    entries = list(RollEntry.objects.filter(assembly=assembly).order_by("member_number"))
    employee, beneficiary = entries[0], entries[2]  # colleges Salariés and Bénéficiaires
    first, second = assembly.resolutions.order_by("number")
    sign_in_as_administrator(page, *administrator)
    page.goto(reverse("governance:manage_detail", kwargs={"pk": assembly.pk}))
    assert_accessible(page)
    click_and_load(page, page.get_by_role("link", name=fr("Postal forms and paper proxies")))
    assert_accessible(page)

    # A postal form, with the keyboard: the reference on the letter, option (2), against
    # resolution 1, resolution 2 left blank, "abstain" on amendments.
    click_and_load(page, page.get_by_role("link", name=fr("Record a postal form")))
    assert_accessible(page)
    form = page.get_by_role("main").locator("form")
    form.get_by_label(fr("Reference on the letter, or member number")).focus()
    page.keyboard.type(roll_reference(employee))
    _press(page, form.get_by_label(fr("(2) Votes on each resolution")))
    _press(page, form.locator(f"#id_resolution_{first.pk}_2"))  # against
    _press(page, form.get_by_label(fr("Abstain"), exact=True))
    expect(form.locator(f"#id_resolution_{second.pk}_0")).to_be_checked()  # left blank
    with page.expect_navigation():
        _press(page, form.get_by_role("button", name=fr("Record the form")), "Enter")
    assert_accessible(page)
    expect(page.locator("#messages")).to_contain_text(
        fr("The postal vote of %(member)s is recorded: it counts as a vote at distance.")
        % {"member": employee.name}
    )

    # The same member again: refused, saying when the form was recorded.
    click_and_load(page, page.get_by_role("link", name=fr("Record a postal form")))
    form = page.get_by_role("main").locator("form")
    form.get_by_label(fr("Reference on the letter, or member number")).fill(
        str(employee.member_number)
    )
    form.get_by_label(fr("(1) Signed without ticking anything: trusts the chair")).check()
    form.get_by_label(fr("The chair votes for the member")).check()
    click_and_load(page, form.get_by_role("button", name=fr("Record the form")))
    assert_accessible(page)
    expect(page.get_by_role("alert")).to_contain_text(
        f"Un formulaire de vote par correspondance de {employee.name} a été enregistré le"
    )

    # A blank paper proxy from a beneficiary, found by member number.
    page.goto(reverse("governance:paper_proxy_new", kwargs={"pk": assembly.pk}))
    assert_accessible(page)
    form = page.get_by_role("main").locator("form")
    form.get_by_label(fr("Reference on the letter, or member number")).fill(
        str(beneficiary.member_number)
    )
    click_and_load(page, form.get_by_role("button", name=fr("Record the proxy")))
    assert_accessible(page)
    expect(page.locator("#paper-summary")).to_contain_text(fr("Blank proxies to the chair"))
    assert sorted(PaperForm.objects.values_list("option", flat=True)) == ["chair", "vote"]

    # The live figures show them as such: 2 counted of 6, the quorum of 1/5 (2) is reached.
    page.goto(reverse("governance:meeting", kwargs={"pk": assembly.pk}))
    assert_accessible(page)
    expect(page.locator("#figure-distance")).to_contain_text("dont 1 par correspondance")
    expect(page.locator("#figure-represented")).to_contain_text(
        "dont 1 par un pouvoir en blanc au président"
    )

    # The chair closes the online vote; the tally runs (eagerly here).
    page.goto(reverse("governance:vote_control", kwargs={"pk": assembly.pk}))
    assert_accessible(page)
    click_and_load(page, page.get_by_role("button", name=fr("Close the vote")))
    assert_accessible(page)
    click_and_load(page, page.get_by_role("button", name=fr("Publish the results")))
    assert_accessible(page)
    colleges = {
        resolution_pk: {line["name"]: line for line in result.colleges}
        for resolution_pk, result in (
            (r.resolution_id, r)
            for r in ResolutionResult.objects.filter(resolution__assembly=assembly)
        )
    }
    assert colleges[first.pk]["Salariés"]["against"] == 1
    assert colleges[second.pk]["Salariés"]["abstain"] == 1
    assert colleges[first.pk]["Bénéficiaires"]["for"] == 1
    assert colleges[second.pk]["Bénéficiaires"]["against"] == 1

    page.goto(reverse("governance:results", kwargs={"pk": assembly.pk}))
    assert_accessible(page)

    page.goto(reverse("governance:minutes_edit", kwargs={"pk": assembly.pk}))
    assert_accessible(page)
    page.get_by_label(fr("Summary of the debates")).fill("Les comptes sont rejetés.")
    click_and_load(page, page.get_by_role("button", name=fr("Save the minutes")))
    assert_accessible(page)
    link = page.get_by_role("link", name=fr("The draft minutes (PDF)"))
    minutes = page.request.get(link.get_attribute("href"), timeout=120_000)
    assert minutes.ok and minutes.headers["content-type"] == "application/pdf"
    text = " ".join(pdf_text(minutes.body()).split())
    assert "1 membre a voté par correspondance" in text
    assert "1 membre a donné un pouvoir en blanc au président, compté comme représenté" in text
    assert fr("The board recommends adopting this resolution.") in text
