"""The member register in the browser: apply, admit, sign in as the new member; record an exit;
import a register from CSV. Every page is checked with axe-core."""

import csv
import io
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext_lazy
from playwright.sync_api import Browser, Page, expect

from coop.models import Job, NoticeDelivery
from members.imports import IMPORT_COLUMNS
from members.models import Member, RegisterEvent
from members.services.invitation import APPLICATION_NOTICE, INVITATION_NOTICE
from tests.coop.factories import UserFactory
from tests.coop.mfa import activate_totp
from tests.e2e.helpers import (
    assert_accessible,
    click_and_load,
    current_language,
    fr,
    language_button,
    new_context,
    path_is,
)
from tests.e2e.register_helpers import (
    fact,
    fr_text,
    open_admin_page,
    open_from_menu,
    sign_in_as_administrator,
    sign_in_with_emailed_code,
)
from tests.governance.factories import statutes_and_register
from tests.members.factories import admitted

pytestmark = pytest.mark.e2e

Status = Member.Status


@pytest.fixture
def register(transactional_db) -> dict:
    """Statutes in force, three colleges and four categories, as the cooperative set them up."""
    return statutes_and_register()


@pytest.fixture
def administrator(transactional_db) -> tuple[str, str]:
    """An administrator with an authenticator app: their e-mail address and TOTP secret."""
    user = UserFactory(roles=["administrator", "member"], is_staff=True)
    return user.email, activate_totp(user)


@pytest.fixture
def member_page(browser: Browser, live_server) -> Iterator[Page]:
    """Another person's browser (no cookies shared with `page`), asking for French too."""
    context = new_context(browser, live_server.url)
    yield context.new_page()
    context.close()


# -- 1. apply, admit, sign in as the new member ----------------------------------------------


def test_visitor_applies_is_admitted_and_signs_in_to_see_their_membership(
    page: Page,
    member_page: Page,
    register: dict,
    administrator: tuple[str, str],
    mailoutbox: list[EmailMessage],
) -> None:
    email = "camille.lefevre@example.org"

    # A visitor finds the application form in the main menu.
    visitor = member_page
    visitor.goto(reverse("home"))
    assert_accessible(visitor)
    open_from_menu(visitor, fr("Main navigation"), fr("Become a member"))
    expect(visitor).to_have_url(path_is(reverse("members:apply")))
    expect(visitor.get_by_role("heading", level=1)).to_have_text(fr("Apply for membership"))

    visitor.get_by_role("radio", name=fr("a person, in your own name")).check()
    visitor.get_by_label(fr("First name")).fill("Camille")
    visitor.get_by_label(fr("Last name")).fill("Lefèvre")
    visitor.get_by_label(fr("E-mail address")).fill(email)
    visitor.get_by_label(fr("Telephone")).fill("06 12 34 56 78")
    visitor.get_by_label(fr("Postal address")).fill("3 chemin des Écureuils")
    visitor.get_by_label(fr("Postal code")).fill("38500")
    expect(visitor.get_by_label(fr("Country"))).to_have_value("France")
    visitor.get_by_role("radio", name=re.compile(r"^Bénéficiaires\b")).check()
    visitor.get_by_label(fr("Number of shares you intend to subscribe")).fill("3")
    e_notices = visitor.get_by_role(
        "checkbox",
        name=fr(
            "I agree to receive the cooperative's notices (convocations to general assemblies, "
            "results) by e-mail instead of by post."
        ),
    )
    e_notices.check()
    # The town is forgotten: the form comes back with what was typed and says what to correct.
    click_and_load(visitor, visitor.get_by_role("button", name=fr("Send my application")))
    expect(visitor).to_have_url(path_is(reverse("members:apply")))
    assert_accessible(visitor)
    expect(visitor).to_have_title(re.compile("^" + re.escape(fr("Error:"))))
    summary = visitor.get_by_role("alert")
    expect(summary).to_contain_text(fr("Your application was not sent. Please correct:"))
    expect(summary.get_by_role("link", name=fr("Town"))).to_have_attribute("href", "#id_city")
    expect(summary).to_contain_text(fr("This field is required."))
    town = visitor.get_by_label(fr("Town"))
    expect(town).to_have_attribute("aria-invalid", "true")
    expect(visitor.get_by_label(fr("Last name"))).to_have_value("Lefèvre")
    expect(e_notices).to_be_checked()
    assert not Member.objects.exists()
    town.fill("Voiron")
    click_and_load(visitor, visitor.get_by_role("button", name=fr("Send my application")))

    expect(visitor).to_have_url(path_is(reverse("members:apply_done")))
    assert_accessible(visitor)
    expect(visitor.get_by_role("heading", level=1)).to_have_text(
        fr("Thank you: your application is sent")
    )
    main = visitor.get_by_role("main")
    expect(main).to_contain_text(
        fr("The cooperative has recorded the application of %(name)s.")
        % {"name": "Camille Lefèvre"}
    )
    expect(main).to_contain_text(email)
    applicant = Member.objects.get(email=email)
    assert applicant.status == Status.APPLICANT
    assert applicant.number is None
    # The acknowledgement is queued for the applicant (the outbox sends it after commit).
    acknowledgement = NoticeDelivery.objects.get(notice__kind=APPLICATION_NOTICE)
    assert acknowledgement.to_email == email

    # An administrator, signed in with their authenticator app, opens the applications.
    admin_email, totp_secret = administrator
    sign_in_as_administrator(page, admin_email, totp_secret)
    open_admin_page(page, fr("Applications"))
    expect(page).to_have_url(path_is(reverse("members:applications")))
    applications = page.get_by_role("table")
    expect(applications.locator("tbody tr")).to_have_count(1)
    click_and_load(page, applications.get_by_role("link", name="Camille Lefèvre"))
    expect(page).to_have_url(path_is(reverse("members:application", args=[applicant.pk])))
    assert_accessible(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        fr("Application of %(name)s") % {"name": "Camille Lefèvre"}
    )
    # What the visitor typed, with the consent to e-mail notices and its date.
    expect(fact(page, fr("Shares intended"))).to_have_text(re.compile(r"^\s*3\b"))
    expect(fact(page, fr("Category asked for"))).to_have_text("Bénéficiaires")
    with translation.override("fr"):
        agreed = gettext("yes, agreed on %(date)s") % {
            "date": date_format(timezone.localdate(applicant.e_notices_changed_at), "DATE_FORMAT")
        }
    expect(fact(page, fr("Notices by e-mail"))).to_have_text(agreed)

    # Admission: the decision's date (today, proposed), its reference, another college.
    admit = page.get_by_role("region", name=fr("Admit"))
    decided_on = admit.get_by_label(fr("Date of the decision")).input_value()
    admit.get_by_label(fr("Reference of the decision")).fill("CA du 12 mars, décision 2025-07")
    college = admit.get_by_label(fr("College"))
    expect(college.locator("option:checked")).to_have_text("Bénéficiaires")
    college.select_option(label="Soutiens")
    click_and_load(page, admit.get_by_role("button", name=fr("Admit this applicant")))

    applicant.refresh_from_db()
    assert applicant.status == Status.ADMITTED
    assert applicant.number is not None
    number = str(applicant.number)
    expect(page).to_have_url(path_is(reverse("members:application_admitted", args=[applicant.pk])))
    assert_accessible(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        fr("%(name)s is admitted: member no. %(number)s")
        % {"name": "Camille Lefèvre", "number": number}
    )
    expect(fact(page, fr("College"))).to_have_text("Soutiens")
    expect(page.get_by_role("main")).to_contain_text(email)

    # The invitation waits in the outbox; its link leads to the sign-in by code.
    invitation = NoticeDelivery.objects.get(notice__kind=INVITATION_NOTICE)
    assert invitation.to_email == email
    assert invitation.language == "fr"
    assert f"{fr('Your member number:')} {number}\n" in invitation.body_text
    links = re.findall(r"https?://\S+", invitation.body_text)
    assert len(links) == 1, invitation.body_text
    sign_in_path = urlsplit(links[0]).path
    assert sign_in_path == reverse("account_request_login_code")

    # The member, in their own browser, follows the link and signs in with a code.
    member = visitor
    member.goto(sign_in_path)
    sign_in_with_emailed_code(member, email, mailoutbox)
    open_from_menu(member, fr("Main navigation"), fr("My membership"))
    expect(member).to_have_url(path_is(reverse("members:me")))
    expect(member.get_by_role("heading", level=1)).to_have_text(fr("My membership"))
    entry = member.get_by_role("region", name=fr("Your entry in the register"))
    expect(fact(entry, fr("Member number"))).to_have_text(number)
    expect(fact(entry, fr("Status"))).to_have_text(capfirst(fr_text(Status.ADMITTED.label)))
    expect(fact(entry, fr("Category"))).to_have_text("Bénéficiaires")
    expect(fact(entry, fr("College"))).to_have_text("Soutiens")
    admission = fact(entry, fr("Admission"))
    with translation.override("fr"):
        expect(admission).to_contain_text(date_format(applicant.admitted_on, "DATE_FORMAT"))
    assert applicant.admitted_on.isoformat() == decided_on

    # The same page in English: the menu, and the dates in English.
    button = language_button(member)
    expect(button).to_have_accessible_name("English")
    click_and_load(member, button)
    expect(member).to_have_url(path_is(reverse("members:me")))
    assert current_language(member) == "en"
    assert_accessible(member)
    expect(member.get_by_role("heading", level=1)).to_have_text("My membership")
    main_menu = member.get_by_role("navigation", name="Main navigation", exact=True)
    expect(main_menu.get_by_role("link", name="Home", exact=True)).to_be_visible()
    assert fr("Home") != "Home"
    entry = member.get_by_role("region", name="Your entry in the register")
    expect(fact(entry, "Member number")).to_have_text(number)
    expect(fact(entry, "College")).to_have_text("Soutiens")
    with translation.override("en"):
        english_date = date_format(applicant.admitted_on, "DATE_FORMAT")
    with translation.override("fr"):
        assert date_format(applicant.admitted_on, "DATE_FORMAT") != english_date
    expect(fact(entry, "Admission")).to_contain_text(english_date)


# -- 2. record an exit -----------------------------------------------------------------------


def test_administrator_records_an_exit_and_a_second_exit_is_refused(
    page: Page, register: dict, administrator: tuple[str, str]
) -> None:
    member = admitted(
        register["categories"]["volunteer"],
        register["colleges"]["supporters"],
        first_name="Jean",
        last_name="Martin",
        email="jean.martin@example.org",
    )
    admin_email, totp_secret = administrator
    sign_in_as_administrator(page, admin_email, totp_secret)
    open_admin_page(page, fr("Member register"))
    expect(page).to_have_url(path_is(reverse("members:register")))
    click_and_load(page, page.get_by_role("table").get_by_role("link", name="Jean Martin"))
    detail_path = reverse("members:member_detail", args=[member.pk])
    expect(page).to_have_url(path_is(detail_path))
    assert_accessible(page)
    history_rows = page.get_by_role(
        "table", name=re.compile(re.escape(fr("History of the entry")))
    ).locator("tbody tr")
    expect(history_rows).to_have_count(2)  # application, admission

    # A second tab keeps the exit form open: a stale page, as another administrator's would be.
    stale = page.context.new_page()
    stale.goto(reverse("members:member_exit", args=[member.pk]))
    assert_accessible(stale)

    click_and_load(page, page.get_by_role("link", name=fr("Record an exit")))
    expect(page).to_have_url(path_is(reverse("members:member_exit", args=[member.pk])))
    assert_accessible(page)
    page.get_by_role("radio", name=fr("Resignation")).check()
    page.get_by_label(fr("Date of the exit")).fill("2025-06-30")
    page.get_by_label(fr("Reference of the exit")).fill("Lettre de démission du 2 juin 2025")
    click_and_load(page, page.get_by_role("button", name=fr("Record the exit")))

    expect(page).to_have_url(path_is(detail_path))
    assert_accessible(page)
    member.refresh_from_db()
    assert member.status == Status.RESIGNED
    with translation.override("fr"):
        exit_date = date_format(member.exited_on, "DATE_FORMAT")
        resigned = str(Status.RESIGNED.label)
        exit_kind = str(RegisterEvent.Kind.EXITED.label)
    expect(page.locator("#messages")).to_contain_text(
        fr("The exit of %(member)s on %(date)s is recorded (%(status)s).")
        % {"member": "Jean Martin", "date": exit_date, "status": resigned}
    )
    membership = page.get_by_role("region", name=fr("Membership"))
    expect(fact(membership, fr("Status"))).to_have_text(capfirst(resigned))
    expect(fact(membership, fr("Left on"))).to_have_text(
        f"{exit_date} — Lettre de démission du 2 juin 2025"
    )
    expect(history_rows).to_have_count(3)
    exit_row = history_rows.last
    expect(exit_row.get_by_role("rowheader")).to_have_text(exit_date)
    expect(exit_row.get_by_role("cell").nth(0)).to_have_text(capfirst(exit_kind))
    expect(exit_row.get_by_role("cell").nth(1)).to_have_text("Lettre de démission du 2 juin 2025")
    expect(exit_row).to_contain_text(resigned)
    expect(exit_row).to_contain_text(admin_email)
    # The page no longer offers an exit, nor a move to another college.
    expect(page.get_by_role("link", name=fr("Record an exit"))).to_have_count(0)
    expect(page.get_by_role("link", name=fr("Move to another college"))).to_have_count(0)

    # The stale form is sent anyway: refused, with the reason, and nothing recorded.
    stale.get_by_role("radio", name=fr("Death")).check()
    stale.get_by_label(fr("Date of the exit")).fill("2025-07-15")
    stale.get_by_label(fr("Reference of the exit")).fill("Acte de décès")
    click_and_load(stale, stale.get_by_role("button", name=fr("Record the exit")))
    assert_accessible(stale)
    with translation.override("fr"):
        refusal = gettext("%(member)s cannot be %(action)s: their status is “%(status)s”.") % {
            "member": "Jean Martin",
            "action": gettext("recorded as leaving"),
            "status": resigned,
        }
    alert = stale.get_by_role("alert")
    expect(alert).to_contain_text(fr("Nothing was recorded. Please correct:"))
    expect(alert).to_contain_text(refusal)
    member.refresh_from_db()
    assert member.status == Status.RESIGNED
    assert member.exit_ref == "Lettre de démission du 2 juin 2025"
    assert member.events.filter(kind=RegisterEvent.Kind.EXITED).count() == 1
    page.reload()
    assert_accessible(page)
    expect(history_rows).to_have_count(3)


# -- 3. import a register from CSV -----------------------------------------------------------


def csv_text(rows: list[dict[str, str]]) -> bytes:
    """A register file as a spreadsheet saves it: UTF-8 with BOM, semicolons, CRLF."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=IMPORT_COLUMNS, delimiter=";", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def upload(page: Page, name: str, content: bytes) -> None:
    page.get_by_label(fr("CSV file of the register")).set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": content}
    )
    click_and_load(page, page.get_by_role("button", name=fr("Check and import")))
    # The file is checked and imported by a job (run at once here): its page says what it did.
    job = Job.objects.latest("created_at")
    expect(page).to_have_url(path_is(reverse("jobs:detail", args=[job.pk])))
    assert_accessible(page)


def test_csv_import_with_a_bad_row_imports_nothing_then_the_corrected_file_imports(
    page: Page, register: dict, administrator: tuple[str, str], eager_celery, jobs_root
) -> None:
    admin_email, totp_secret = administrator
    sign_in_as_administrator(page, admin_email, totp_secret)
    open_admin_page(page, fr("Member register"))
    sub_nav = page.get_by_role("navigation", name=fr("Member register"), exact=True)
    click_and_load(page, sub_nav.get_by_role("link", name=fr("Import"), exact=True))
    expect(page).to_have_url(path_is(reverse("members:register_import")))
    assert_accessible(page)

    # The template, downloaded from the page: the header and one example line.
    with page.expect_download() as download_info:
        page.get_by_role("link", name=fr("Download the template (CSV)")).click()
    with open(download_info.value.path(), encoding="utf-8-sig", newline="") as template:
        header, *examples = list(csv.reader(template, delimiter=";"))
    assert header == list(IMPORT_COLUMNS)
    assert len(examples) == 1
    claire = dict(zip(header, examples[0], strict=True))
    assert claire["last_name"] == "Durand"

    jean = {
        **claire,
        "number": "2",
        "first_name": "Jean",
        "last_name": "Martin",
        "email": "jean.martin@example.org",
        "status": "resigned",
        "exit_ref": "Lettre du 1er décembre 2023",
        "exited_on": "",  # forgotten: the bad row
    }
    anne = {
        **claire,
        "number": "3",
        "first_name": "Anne",
        "last_name": "Roux",
        "email": "",
        "e_notices": "no",
        "e_notices_on": "",
        "status": "admitted",
        "ratified_on": "",
        "ratification_ref": "",
    }
    upload(page, "registre.csv", csv_text([claire, jean, anne]))

    # The report: line 3 (the header is line 1), its column and the reason; nothing written.
    report = page.locator("#job-status")
    expect(report).to_contain_text(
        fr_text(
            ngettext_lazy(
                "Nothing was imported: %(count)s problem found. Correct the file and import it "
                "again.",
                "Nothing was imported: %(count)s problems found. Correct the file and import "
                "it again.",
                1,
            )
        )
        % {"count": 1}
    )
    problems = report.get_by_role("table", name=fr("Problems in the file, by line"))
    expect(problems.locator("tbody tr")).to_have_count(1)
    problem = problems.locator("tbody tr").first
    expect(problem.get_by_role("rowheader")).to_have_text("3")
    expect(problem.get_by_role("cell").nth(0)).to_have_text("exited_on")
    expect(problem.get_by_role("cell").nth(1)).to_have_text(
        fr("The member left: give the date of the exit.")
    )
    assert not Member.objects.exists()
    open_admin_page(page, fr("Member register"))
    expect(page.get_by_role("region", name=fr("Entries"))).to_contain_text(
        fr("No entry matches. Change the search or clear the filters.")
    )

    # The corrected file imports, all three lines.
    click_and_load(page, sub_nav.get_by_role("link", name=fr("Import"), exact=True))
    assert_accessible(page)
    upload(
        page, "registre-corrige.csv", csv_text([claire, {**jean, "exited_on": "2023-12-31"}, anne])
    )
    expect(page.get_by_role("table")).to_have_count(0)
    expect(page.locator("#job-status")).to_contain_text(
        fr_text(
            ngettext_lazy(
                "%(count)s member imported, numbers %(low)d to %(high)d.",
                "%(count)s members imported, numbers %(low)d to %(high)d.",
                3,
            )
        )
        % {"count": 3, "low": 1, "high": 3}
    )

    open_admin_page(page, fr("Member register"))
    rows = page.get_by_role("table").locator("tbody tr")
    expect(rows).to_have_count(3)
    expected = [
        ("1", "Claire Durand", Status.RATIFIED),
        ("2", "Jean Martin", Status.RESIGNED),
        ("3", "Anne Roux", Status.ADMITTED),
    ]
    for row, (number, name, status) in zip(rows.all(), expected, strict=True):
        expect(row.get_by_role("cell").first).to_have_text(number)
        expect(row.get_by_role("rowheader")).to_have_text(name)
        expect(row).to_contain_text(capfirst(fr_text(status.label)))
    assert Member.objects.count() == 3
