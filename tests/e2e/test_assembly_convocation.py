"""Preparing and convening a general assembly in the browser: the draft, its agenda and a
resolution, a convocation refused for a short notice (saying until when it could be sent),
then the date moved and the assembly convened; the proof of sending. Every page is checked
with axe-core."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from playwright.sync_api import Page, expect

from coop.models import Job, NoticeDelivery
from governance.forms.admin import AgendaItemForm, AssemblyForm, ResolutionForm
from governance.models import Assembly, Resolution, RollEntry
from tests.coop.conftest import celery_queue, celery_workers, smtp_sink  # noqa: F401
from tests.coop.factories import UserFactory
from tests.coop.mfa import activate_totp
from tests.e2e.helpers import assert_accessible, click_and_load, fr, path_is
from tests.e2e.register_helpers import fr_text, sign_in_as_administrator
from tests.governance.factories import members_admitted, statutes_and_register

pytestmark = pytest.mark.e2e

COOPERATIVE = "Les Communs d'Oisans"


@pytest.fixture
def register(transactional_db) -> dict:
    register = statutes_and_register(name=COOPERATIVE, registered_office="3 rue du Lac")
    members_admitted(register, 3)
    return register


@pytest.fixture
def administrator(transactional_db) -> tuple[str, str]:
    user = UserFactory(roles=["administrator", "member"], is_staff=True)
    return user.email, activate_totp(user)


def label(form: type, name: str) -> str:
    return fr_text(form.base_fields[name].label)


def fill_date(page: Page, day: dt.date) -> None:
    page.get_by_label(label(AssemblyForm, "day")).fill(day.isoformat())
    page.get_by_label(label(AssemblyForm, "time")).fill("18:00")


def test_prepare_and_convene_with_a_refusal_for_a_short_notice(
    page: Page, register: dict, administrator: tuple[str, str], request, monkeypatch, jobs_root
) -> None:
    # A real worker convenes, sharing the jobs' folder with the web server of the test.
    monkeypatch.setenv("JOBS_ROOT", str(jobs_root))
    request.getfixturevalue("celery_workers")("worker")
    admin_email, totp_secret = administrator
    sign_in_as_administrator(page, admin_email, totp_secret)
    page.goto(reverse("governance:manage"))
    assert_accessible(page)

    # A draft for a meeting in 5 days: too soon for the 15 days of the statutes.
    click_and_load(page, page.get_by_role("link", name=fr("Prepare a new assembly")))
    assert_accessible(page)
    page.get_by_label(label(AssemblyForm, "title")).fill("Assemblée générale de printemps")
    soon = timezone.localdate() + dt.timedelta(days=5)
    fill_date(page, soon)
    page.get_by_label(label(AssemblyForm, "place")).fill("Salle des fêtes, Bourg-d'Oisans")
    click_and_load(page, page.get_by_role("button", name=fr("Create the assembly")))
    assembly = Assembly.objects.get()
    expect(page).to_have_url(path_is(reverse("governance:manage_detail", args=[assembly.pk])))
    assert_accessible(page)
    expect(page.locator("#notice-check")).to_be_visible()

    # The agenda: an item, then a resolution under it.
    click_and_load(page, page.get_by_role("link", name=fr("Add an item to the agenda")))
    assert_accessible(page)
    page.get_by_label(label(AgendaItemForm, "title")).fill("Comptes de l'exercice")
    click_and_load(page, page.get_by_role("button", name=fr("Add the item")))
    assert_accessible(page)
    click_and_load(page, page.get_by_role("link", name=fr("Add a resolution")))
    assert_accessible(page)
    form = page.get_by_role("main").locator("form")
    form.get_by_label(label(ResolutionForm, "title")).fill("Approbation des comptes")
    form.get_by_label(label(ResolutionForm, "text")).fill(
        "L'assemblée générale approuve les comptes de l'exercice."
    )
    form.get_by_label(fr("The board recommends adopting it")).check()
    click_and_load(page, page.get_by_role("button", name=fr("Add the resolution")))
    assert_accessible(page)
    assert Resolution.objects.get().majority_kind == "ordinary"
    assert Resolution.objects.get().board_approves is True
    expect(page.get_by_role("main")).to_contain_text("Approbation des comptes")

    # Convening is refused: the page says until when the convocation could have been sent.
    click_and_load(page, page.get_by_role("link", name=fr("Convene the assembly…")))
    assert_accessible(page)
    click_and_load(page, page.get_by_role("button", name=fr("Convene and send the convocations")))
    assert_accessible(page)
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(fr("The assembly was not convened:"))
    with translation.override("fr"):
        latest = date_format(soon - dt.timedelta(days=15), "j F")
    expect(page.locator("#convene-error")).to_contain_text(latest)
    assert Assembly.objects.get().status == Assembly.Status.DRAFT
    assert not RollEntry.objects.exists() and not NoticeDelivery.objects.exists()

    # A later date, then the convocation goes out.
    click_and_load(page, page.get_by_role("link", name=fr("Back to the assembly")))
    click_and_load(page, page.get_by_role("link", name=fr("Edit the details")))
    assert_accessible(page)
    fill_date(page, timezone.localdate() + dt.timedelta(days=30))
    click_and_load(page, page.get_by_role("button", name=fr("Save the details")))
    assert_accessible(page)
    click_and_load(page, page.get_by_role("link", name=fr("Convene the assembly…")))
    expect(page.locator("#eligible")).to_have_text("3")
    click_and_load(page, page.get_by_role("button", name=fr("Convene and send the convocations")))
    # A worker convenes (never the web request): the job's page follows it, then leads back.
    job = Job.objects.get(kind="governance.assembly_convene")
    expect(page).to_have_url(path_is(reverse("jobs:detail", args=[job.pk])))
    expect(page.get_by_role("heading", level=2)).to_have_text(fr("Finished"), timeout=60_000)
    assert_accessible(page)
    click_and_load(page, page.get_by_role("link", name=fr("Back to the assembly")))
    expect(page).to_have_url(path_is(reverse("governance:manage_detail", args=[assembly.pk])))
    assert_accessible(page)
    expect(page.locator("#assembly-status")).to_have_text(
        fr_text(Assembly.Status.CONVENED.label).capitalize()
    )
    expect(page.locator("#roll-size")).to_have_text("3")
    assert RollEntry.objects.filter(assembly=assembly).count() == 3
    # The deadline for distance votes followed the meeting: the statutes' default, the day before.
    assembly.refresh_from_db()
    deadline = timezone.localtime(assembly.distance_vote_deadline)
    assert deadline.date() == timezone.localdate() + dt.timedelta(days=29)
    # The agenda can no longer change: no button to edit it.
    expect(page.get_by_role("link", name=fr("Add an item to the agenda"))).to_have_count(0)

    # The proof of sending: every member, by post here (no one agreed to e-mails).
    click_and_load(page, page.get_by_role("link", name=fr("Proof of sending, member by member")))
    assert_accessible(page)
    expect(page.locator("#count-pending")).to_have_text("3")
    expect(page.locator("#proof-entries tbody tr")).to_have_count(3)
