"""Voting in the browser: cast a ballot and get a receipt (without JavaScript), a proxy holder
votes for every principal at once, the results page shows the arithmetic per college, and a
voter finds their ballot with the receipt. Every page is checked with axe-core."""

import re

import pytest
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from governance.models import Assembly, Participation, Proxy, RollEntry, UrnBallot
from governance.services.ballots import ballot_cast
from governance.services.voting import assembly_tally, results_publish
from members.models import Member
from tests.coop.conftest import celery_queue, celery_workers, smtp_sink  # noqa: F401
from tests.coop.factories import TEST_PASSWORD, UserFactory
from tests.e2e.helpers import assert_accessible, click_and_load, fr, sign_in_with_password
from tests.governance.factories import convened_assembly, members_admitted, statutes_and_register

pytestmark = pytest.mark.e2e


@pytest.fixture
def assembly(transactional_db) -> Assembly:
    register = statutes_and_register()
    members = (
        members_admitted(register, 2, category="employee")
        + members_admitted(register, 2, category="beneficiary")
        + members_admitted(register, 2, category="volunteer")
    )
    return convened_assembly(members=members, resolutions=2)


def entries(assembly: Assembly) -> list[RollEntry]:
    return list(
        RollEntry.objects.filter(assembly=assembly)
        .select_related("member", "college")
        .order_by("member_number")
    )


def account_for(entry: RollEntry) -> str:
    user = UserFactory(roles=["member"], email=entry.member.email)
    Member.objects.filter(pk=entry.member_id).update(user=user)
    return user.email


def receipt_on(page: Page) -> str:
    return page.locator("code.receipt").first.inner_text().strip()


def test_a_member_votes_without_javascript_and_receives_a_receipt(
    nojs_page: Page,
    assembly: Assembly,
    eager_celery: None,
    mailoutbox: list[EmailMessage],
) -> None:
    page = nojs_page
    me = entries(assembly)[0]
    email = account_for(me)
    sign_in_with_password(page, email, TEST_PASSWORD)

    page.goto(reverse("governance:ballot", kwargs={"pk": assembly.pk}))
    assert_accessible(page)
    abstention = fr("Abstaining is not a vote expressed: it counts neither for nor against.")
    expect(page.get_by_text(abstention)).to_be_visible()
    resolutions = list(assembly.resolutions.order_by("number"))
    # Resolution 1 "for", resolution 2 "abstain", chosen by their labels.
    page.get_by_role("radio", name=fr("for"), exact=True).first.check()
    page.get_by_role("radio", name=fr("abstain"), exact=True).nth(1).check()
    click_and_load(page, page.get_by_role("button", name=fr("Review my vote")))

    assert_accessible(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        fr("Review your vote — %(title)s") % {"title": assembly.title}
    )
    assert not Participation.objects.exists()
    click_and_load(page, page.get_by_role("button", name=fr("Cast my vote")))

    assert_accessible(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(fr("Your vote is cast"))
    receipt = receipt_on(page)
    assert re.fullmatch(r"[A-Z2-9]{5}(-[A-Z2-9]{5}){3}", receipt)
    assert sorted(UrnBallot.objects.values_list("choice", flat=True)) == ["abstain", "for"]
    assert {p.resolution_id for p in Participation.objects.filter(roll_entry=me)} == {
        r.pk for r in resolutions
    }
    (mail,) = [m for m in mailoutbox if receipt in m.body]
    assert mail.to == [email]

    # Back on the ballot: nothing more to cast, and a second vote is impossible.
    page.goto(reverse("governance:ballot", kwargs={"pk": assembly.pk}))
    assert_accessible(page)
    expect(
        page.get_by_role("status").filter(
            has_text=fr("Every vote you can cast in this assembly has been cast. Thank you.")
        )
    ).to_be_visible()
    expect(page.get_by_role("button", name=fr("Review my vote"))).to_have_count(0)


def test_a_proxy_holder_casts_one_choice_for_all_their_principals(
    page: Page, assembly: Assembly, eager_celery: None, mailoutbox: list[EmailMessage]
) -> None:
    holder, first, second, *_ = entries(assembly)
    Proxy.objects.create(assembly=assembly, giver=first, holder=holder)
    Proxy.objects.create(assembly=assembly, giver=second, holder=holder)
    email = account_for(holder)
    sign_in_with_password(page, email, TEST_PASSWORD)

    page.goto(reverse("governance:ballot", kwargs={"pk": assembly.pk}))
    assert_accessible(page)
    for name in (first.name, second.name):
        expect(page.get_by_role("checkbox", name=re.compile(re.escape(name)))).to_be_checked()
    expect(page.get_by_role("checkbox", name=fr("myself"))).to_be_checked()
    for radio in page.get_by_role("radio", name=fr("against"), exact=True).all():
        radio.check()
    click_and_load(page, page.get_by_role("button", name=fr("Review my vote")))
    assert_accessible(page)
    click_and_load(page, page.get_by_role("button", name=fr("Cast my vote")))

    assert_accessible(page)
    expect(page.locator("code.receipt")).to_have_count(3)
    assert UrnBallot.objects.filter(choice="against").count() == 6
    # Each principal's ballots count in the principal's own college.
    colleges = sorted(UrnBallot.objects.values_list("college_id", flat=True))
    assert colleges == sorted([holder.college_id, first.college_id, second.college_id] * 2)
    assert Participation.objects.filter(cast_by=holder).count() == 4
    assert len([m for m in mailoutbox if m.to == [email]]) == 3


def test_results_show_the_arithmetic_and_the_voter_finds_their_ballot(
    page: Page, assembly: Assembly, transactional_db, request, monkeypatch, jobs_root
) -> None:
    monkeypatch.setenv("JOBS_ROOT", str(jobs_root))
    request.getfixturevalue("celery_workers")("worker")  # the ballot box is written by a job
    roll = entries(assembly)
    resolutions = list(assembly.resolutions.order_by("number").values_list("pk", flat=True))
    receipts = {}
    # Employees: 1 for, 1 against; users: 2 for; supporters: 1 abstention, 1 absent.
    plan = ["for", "against", "for", "for", "abstain", None]
    for entry, choice in zip(roll, plan, strict=True):
        if choice:
            outcome = ballot_cast(
                assembly=assembly,
                voter=entry,
                choices=dict.fromkeys(resolutions, choice),
                actor=None,
                now=assembly.distance_vote_deadline,
            )
            receipts[entry.pk] = outcome.receipt
    Assembly.objects.filter(pk=assembly.pk).update(
        status=Assembly.Status.VOTING_CLOSED, voting_closed_at=timezone.now()
    )
    assembly_tally(assembly=assembly)
    admin = UserFactory(roles=["administrator"])
    results_publish(assembly=assembly, actor=admin)

    me = roll[0]
    sign_in_with_password(page, account_for(me), TEST_PASSWORD)
    page.goto(reverse("governance:results", kwargs={"pk": assembly.pk}))
    assert_accessible(page)
    table = page.get_by_role("table").first
    # Employees 40 % with 1/2 for, users 30 % with 1/1, supporters silent: weights 4/7 and 3/7.
    employees = table.get_by_role("row").filter(has_text="Salariés")
    expect(employees).to_contain_text("1/2")
    expect(employees).to_contain_text("4/7")
    users = table.get_by_role("row").filter(has_text="Bénéficiaires")
    expect(users).to_contain_text("3/7")
    expect(page.get_by_text(fr("Adopted"), exact=True).first).to_be_visible()
    expect(page.get_by_text("5/7").first).to_be_visible()  # 4/7 * 1/2 + 3/7 * 1

    # The same, written out to be checked by hand (opened from its summary, with the keyboard).
    hand_check = page.locator("details.hand-check").first
    summary = hand_check.locator("summary")
    expect(summary).to_have_text(fr("Check resolution %(number)s by hand") % {"number": 1})
    summary.focus()
    page.keyboard.press("Enter")
    employees_step = hand_check.get_by_role("listitem").filter(has_text="Salariés")
    expect(employees_step).to_contain_text("1/2 = 1/2")
    expect(employees_step).to_contain_text("2/5 ÷ 7/10 = 4/7")
    expect(employees_step).to_contain_text("4/7 \u00d7 1/2 = 2/7")
    expect(hand_check).to_contain_text("3/7 + 2/7 = 5/7")
    assert_accessible(page)

    page.get_by_role("textbox", name=fr("Your receipt")).fill(receipts[me.pk].lower())
    click_and_load(page, page.get_by_role("button", name=fr("Look for my ballot")))
    assert_accessible(page)
    expect(
        page.get_by_role("status").filter(has_text=fr("Your ballot is in the ballot box:"))
    ).to_be_visible()

    click_and_load(page, page.get_by_role("button", name=fr("Ballot box (CSV)")))
    download_words = fr("Download %(name)s (%(size)s)").split("%(name)s")[0]
    download_link = page.get_by_role("link", name=re.compile("^" + re.escape(download_words)))
    expect(download_link).to_be_visible(timeout=120_000)
    assert_accessible(page)
    with page.expect_download() as download_info:
        download_link.click()
    with open(download_info.value.path(), encoding="utf-8-sig") as exported:
        content = exported.read()
    assert content.count("\n") == 1 + 5 * 2


def tab_to(page: Page, target) -> None:
    """Press Tab until `target` has the focus (as someone without a mouse does)."""
    for _ in range(80):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError("the element never got the focus with Tab")


def test_a_member_votes_with_the_keyboard_only(page: Page, assembly: Assembly) -> None:
    """Tab to each choice, Space to pick it, Enter to send: no mouse anywhere."""
    me = entries(assembly)[0]
    sign_in_with_password(page, account_for(me), TEST_PASSWORD)
    page.goto(reverse("governance:ballot", kwargs={"pk": assembly.pk}))

    # Each resolution is a group of radio buttons: Tab enters the group, Space picks the
    # focused one, arrows move within it.
    for number in (1, 2):
        radios = page.get_by_role("radio", name=fr("against"), exact=True)
        target = radios.nth(number - 1)
        for _ in range(60):
            page.keyboard.press("Tab")
            if target.evaluate("element => element === document.activeElement"):
                break
            focused_group = page.evaluate("document.activeElement.name || ''")
            if focused_group == target.get_attribute("name"):
                page.keyboard.press("ArrowDown")  # within the group, to the next choice
                if target.evaluate("element => element === document.activeElement"):
                    break
        else:
            raise AssertionError(f"resolution {number}: 'against' never got the focus")
        page.keyboard.press("Space")
        expect(target).to_be_checked()
    tab_to(page, page.get_by_role("button", name=fr("Review my vote")))
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    tab_to(page, page.get_by_role("button", name=fr("Cast my vote")))
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text(fr("Your vote is cast"))
    assert_accessible(page)
    assert sorted(UrnBallot.objects.values_list("choice", flat=True)) == ["against", "against"]
