"""The share capital in the browser: a subscription with a quarter paid and a later payment, the
share certificate; an exit, its repayment and one refused at the capital floor; the member's
statement at a date, in French and in English; the public bodies' cap; a transfer of shares.
Every page is checked with axe-core."""

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext
from playwright.sync_api import Browser, Page, expect

from capital.models import RepaymentRequest, ShareMovement
from capital.selectors import CERTIFICATE_NOTICE
from capital.services import accounts_approval_record, share_pay
from coop import formatting
from coop.models import NoticeDelivery, Statutes
from members.models import Member
from members.services import member_exit
from tests.capital.factories import capital_setup, member, subscribe
from tests.coop.factories import TEST_PASSWORD, UserFactory
from tests.coop.mfa import activate_totp
from tests.e2e.capital_helpers import (
    folded,
    fr_date,
    fr_euros,
    member_with_account,
    open_capital_desk,
    pdf_text,
    record_for_member,
)
from tests.e2e.helpers import (
    assert_accessible,
    click_and_load,
    current_language,
    fr,
    language_button,
    new_context,
    path_is,
    sign_in_with_password,
)
from tests.e2e.register_helpers import (
    fact,
    fr_plural,
    fr_text,
    open_from_menu,
    sign_in_as_administrator,
)

pytestmark = pytest.mark.e2e

COOPERATIVE = "Les Communs d'Oisans"


@pytest.fixture
def register(transactional_db) -> dict:
    """Statutes in force since 2020 (a share is worth 50 €, a quarter paid when subscribing,
    the floor a quarter of the highest capital, public bodies at most half), three colleges and
    four categories."""
    return capital_setup(name=COOPERATIVE, registered_office="3 rue du Lac, 38520 Bourg-d'Oisans")


@pytest.fixture
def administrator(transactional_db) -> tuple[str, str]:
    """An administrator with an authenticator app: their e-mail address and TOTP secret."""
    user = UserFactory(roles=["administrator", "member"], is_staff=True)
    return user.email, activate_totp(user)


@pytest.fixture
def member_page(browser: Browser, live_server) -> Iterator[Page]:
    """The member's own browser (no cookies shared with `page`), asking for French too."""
    context = new_context(browser, live_server.url)
    yield context.new_page()
    context.close()


# -- 1. a subscription, a later payment, the certificate -------------------------------------


def test_subscription_with_a_quarter_paid_then_a_payment_and_the_members_certificate(
    page: Page, member_page: Page, register: dict, administrator: tuple[str, str]
) -> None:
    camille = member_with_account(
        register,
        "beneficiary",
        first_name="Camille",
        last_name="Lefèvre",
        email="camille.lefevre@example.org",
        e_notices=True,
    )
    today = timezone.localdate()
    due_on = today + dt.timedelta(days=365)

    admin_email, totp_secret = administrator
    sign_in_as_administrator(page, admin_email, totp_secret)
    open_capital_desk(page)
    expect(page.locator("#capital")).to_have_text(fr_euros(0))
    record_for_member(page, camille, fr("a subscription"))
    expect(page).to_have_url(path_is(reverse("capital:subscribe", args=[camille.pk])))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        fr("Record a subscription of shares by %(name)s") % {"name": "Camille Lefèvre"}
    )
    expect(fact(page, fr("Nominal value of a share in force"))).to_have_text(fr_euros(50))

    # 8 shares (400 €): paying 80 € now is less than the quarter the statutes require.
    page.get_by_label(fr("Number of shares")).fill("8")
    expect(page.get_by_label(fr("Date of the subscription"))).to_have_value(today.isoformat())
    page.get_by_label(fr("Decision reference")).fill("Bulletin de souscription n° 14")
    page.get_by_label(fr("Amount paid now (€)")).fill("80.00")
    page.get_by_label(fr("Rest due by")).fill(due_on.isoformat())
    click_and_load(page, page.get_by_role("button", name=fr("Record the subscription")))
    assert_accessible(page)
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(fr("Nothing was recorded. Please correct:"))
    expect(alert).to_contain_text(
        fr(
            "For %(shares)s shares at %(nominal)s (%(amount)s), pay now between %(minimum)s "
            "and %(amount)s, not %(paid)s."
        )
        % {
            "shares": 8,
            "nominal": fr_euros(50),
            "amount": fr_euros(400),
            "minimum": fr_euros(100),
            "paid": fr_euros(80),
        }
    )
    expect(fact(page, fr("Total of this subscription"))).to_have_text(fr_euros(400))
    assert not ShareMovement.objects.exists()

    # A quarter now (100 €), the rest (300 €) due in a year.
    page.get_by_label(fr("Amount paid now (€)")).fill("100.00")
    click_and_load(page, page.get_by_role("button", name=fr("Record the subscription")))
    expect(page).to_have_url(path_is(reverse("capital:overview")))
    assert_accessible(page)
    subscription = ShareMovement.objects.get()
    assert (subscription.kind, subscription.member, subscription.due_on) == (
        ShareMovement.Kind.SUBSCRIPTION,
        camille,
        due_on,
    )
    expect(page.locator("#messages")).to_contain_text(
        fr_plural(
            "Movement no. %(seq)s: %(member)s subscribed %(shares)s share "
            "(%(amount)s), %(paid)s paid.",
            "Movement no. %(seq)s: %(member)s subscribed %(shares)s shares "
            "(%(amount)s), %(paid)s paid.",
            8,
            seq=subscription.seq,
            member="Camille Lefèvre",
            shares=8,
            amount=fr_euros(400),
            paid=fr_euros(100),
        )
    )
    # The member, who agreed to e-mail notices, is sent the link to their share certificate.
    expect(page.locator("#messages")).to_contain_text(camille.email)
    notice = NoticeDelivery.objects.get(notice__kind=CERTIFICATE_NOTICE)
    assert (notice.channel, notice.to_email) == (NoticeDelivery.Channel.EMAIL, camille.email)
    certificate_path = reverse("capital:certificate", args=[subscription.pk])
    assert certificate_path in notice.body_text
    expect(page.locator("#capital")).to_have_text(fr_euros(400))
    expect(page.locator("#highest")).to_have_text(fr_euros(400))
    expect(page.locator("#floor")).to_have_text(fr_euros(100))

    # A later payment of 150 €: the payment page shows what is still unpaid.
    record_for_member(page, camille, fr("a payment"))
    expect(page).to_have_url(path_is(reverse("capital:pay", args=[camille.pk])))
    expect(fact(page, fr("Shares held"))).to_have_text("8")
    expect(fact(page, fr("Unpaid"))).to_have_text(fr_euros(300))
    page.get_by_label(fr("Amount paid (€)")).fill("150.00")
    page.get_by_label(fr("Decision reference")).fill("Virement du 3 décembre")
    click_and_load(page, page.get_by_role("button", name=fr("Record the payment")))
    expect(page).to_have_url(path_is(reverse("capital:overview")))
    assert_accessible(page)
    payment = ShareMovement.objects.get(kind=ShareMovement.Kind.PAYMENT)
    assert payment.seq == subscription.seq + 1
    expect(page.locator("#messages")).to_contain_text(
        fr("Movement no. %(seq)s: %(member)s paid %(amount)s on their shares.")
        % {"seq": payment.seq, "member": "Camille Lefèvre", "amount": fr_euros(150)}
    )
    expect(page.locator("#capital")).to_have_text(fr_euros(400))  # paying up adds no capital

    # The member signs in and opens "My shares": 8 shares, 250 € paid, 150 € to pay.
    sign_in_with_password(member_page, camille.email, TEST_PASSWORD)
    open_from_menu(member_page, fr("Main navigation"), fr("My shares"))
    expect(member_page).to_have_url(path_is(reverse("capital:me")))
    expect(member_page.get_by_role("heading", level=1)).to_have_text(fr("My shares"))
    holding = member_page.get_by_role(
        "region", name=fr("Your holding on %(date)s") % {"date": fr_date(today)}
    )
    expect(fact(holding, fr("Shares held"))).to_have_text("8")
    expect(fact(holding, fr("Capital subscribed"))).to_have_text(fr_euros(400))
    expect(fact(holding, fr("Paid up"))).to_have_text(fr_euros(250))
    expect(fact(holding, fr("Not yet paid up"))).to_have_text(fr_euros(150))
    movements = member_page.get_by_role(
        "table",
        name=fr("Every entry of the register of share movements that concerns you, oldest first"),
    ).locator("tbody tr")
    expect(movements).to_have_count(2)
    expect(movements.last).to_contain_text("Virement du 3 décembre")

    # The certificate of the subscription, a PDF linked from the movement as from the e-mail.
    link = movements.first.get_by_role(
        "link", name=fr("Certificate no. %(seq)s (PDF)") % {"seq": subscription.seq}
    )
    expect(link).to_have_attribute("href", certificate_path)
    response = member_page.context.request.get(certificate_path)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    certificate = pdf_text(response.body())
    assert "Camille Lefèvre" in certificate
    assert COOPERATIVE in certificate
    assert "Bulletin de souscription n° 14" in certificate
    # pdf_text folds the no-break spaces of amounts into plain spaces.
    assert folded(fr_euros(400)) in certificate
    assert folded(fr_euros(100)) in certificate


# -- 2. an exit, its repayment, and a repayment refused at the capital floor -----------------


def test_exit_puts_shares_in_the_queue_repaid_in_order_and_refused_below_the_floor(
    page: Page, register: dict, administrator: tuple[str, str]
) -> None:
    # Last financial year (calendar years here): Alice subscribed 1 share, Bob and Carol 4
    # each, so the capital is 450 €, the highest reached, and the floor 112.50 €. Carol left
    # on 30 September; the assembly approved that year's accounts today.
    year = timezone.localdate().year - 1
    joined = {"applied_on": dt.date(year, 1, 10), "decided_on": dt.date(year, 2, 1)}
    alice = member(register, first_name="Alice", last_name="Martin", **joined)
    bob = member(register, first_name="Bob", last_name="Bernard", **joined)
    carol = member(register, first_name="Carol", last_name="Roux", **joined)
    for who, shares in ((alice, 1), (bob, 4), (carol, 4)):
        subscribe(who, shares, on=dt.date(year, 3, 1))
    member_exit(
        member=carol,
        status=Member.Status.RESIGNED,
        exited_on=dt.date(year, 9, 30),
        decision_ref=f"Lettre de démission du 1er septembre {year}",
        actor=None,
    )
    accounts_approval_record(
        year=year,
        approved_on=timezone.localdate(),
        decision_ref=f"AGO, résolution 1 : approbation des comptes {year}",
        losses_per_share=Decimal(0),
        actor=None,
    )

    # Bob's exit, on 30 June, is recorded on the register's exit page.
    admin_email, totp_secret = administrator
    sign_in_as_administrator(page, admin_email, totp_secret)
    page.goto(reverse("members:member_detail", args=[bob.pk]))
    assert_accessible(page)
    click_and_load(page, page.get_by_role("link", name=fr("Record an exit")))
    expect(page).to_have_url(path_is(reverse("members:member_exit", args=[bob.pk])))
    assert_accessible(page)
    page.get_by_role("radio", name=fr("Resignation")).check()
    page.get_by_label(fr("Date of the exit")).fill(dt.date(year, 6, 30).isoformat())
    page.get_by_label(fr("Reference of the exit")).fill(f"Lettre de démission du 2 juin {year}")
    click_and_load(page, page.get_by_role("button", name=fr("Record the exit")))
    expect(page).to_have_url(path_is(reverse("members:member_detail", args=[bob.pk])))
    assert_accessible(page)

    # The queue, in the order of exits: Bob (who left first), then Carol.
    open_capital_desk(page)
    expect(page.locator("#capital")).to_have_text(fr_euros(450))
    expect(page.locator("#highest")).to_have_text(fr_euros(450))
    expect(page.locator("#floor")).to_have_text(fr_euros("112.50"))
    queue = page.get_by_role(
        "table", name=fr("Shares waiting for repayment, in the order of exits")
    ).locator("tbody tr")
    expect(queue).to_have_count(2)
    for row, (name, left_on) in zip(
        queue.all(),
        [("Bob Bernard", dt.date(year, 6, 30)), ("Carol Roux", dt.date(year, 9, 30))],
        strict=True,
    ):
        expect(row.get_by_role("rowheader")).to_have_text(name)
        expect(row.get_by_role("cell").nth(0)).to_have_text(fr_date(left_on))
        expect(row.get_by_role("cell").nth(1)).to_have_text("4")

    # Bob is repaid at nominal value: 200 €, the capital falls to 250 €.
    repay_bob = page.get_by_role("group", name=fr("Repay %(name)s") % {"name": "Bob Bernard"})
    repay_bob.get_by_label(fr("Decision reference")).fill("AGO, résolution 2")
    click_and_load(
        page, page.get_by_role("button", name=fr("Repay %(name)s") % {"name": "Bob Bernard"})
    )
    expect(page).to_have_url(path_is(reverse("capital:overview")))
    assert_accessible(page)
    repayment = ShareMovement.objects.get(kind=ShareMovement.Kind.REPAYMENT)
    assert (repayment.member, repayment.shares, repayment.cash_amount) == (
        bob,
        -4,
        Decimal("200.00"),
    )
    expect(page.locator("#messages")).to_contain_text(
        fr(
            "Movement no. %(seq)s: the shares of %(member)s are repaid on %(date)s "
            "(%(cash)s paid back)."
        )
        % {
            "seq": repayment.seq,
            "member": "Bob Bernard",
            "date": fr_date(repayment.effective_on),
            "cash": fr_euros(200),
        }
    )
    expect(page.locator("#capital")).to_have_text(fr_euros(250))
    expect(queue).to_have_count(1)
    expect(queue.first.get_by_role("rowheader")).to_have_text("Carol Roux")

    # Repaying Carol's 200 € would leave 50 €, below the floor: refused, with the figures.
    repay_carol = page.get_by_role("group", name=fr("Repay %(name)s") % {"name": "Carol Roux"})
    repay_carol.get_by_label(fr("Decision reference")).fill("AGO, résolution 2")
    click_and_load(
        page, page.get_by_role("button", name=fr("Repay %(name)s") % {"name": "Carol Roux"})
    )
    assert_accessible(page)
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(fr("Nothing was recorded. Please correct:"))
    expect(alert).to_contain_text(
        fr(
            "This repayment of %(amount)s would bring the capital from %(capital)s to "
            "%(after)s, below the floor of %(floor)s (%(ratio)s of the highest capital "
            "reached, %(highest)s). The request stays in the queue."
        )
        % {
            "amount": fr_euros(Decimal("200.00")),
            "capital": fr_euros(Decimal("250.00")),
            "after": fr_euros(Decimal("50.00")),
            "floor": fr_euros(Decimal("112.50")),
            "ratio": "1/4",
            "highest": fr_euros(Decimal("450.00")),
        }
    )
    expect(page.locator("#capital")).to_have_text(fr_euros(250))
    expect(queue).to_have_count(1)
    expect(queue.first.get_by_role("rowheader")).to_have_text("Carol Roux")
    assert ShareMovement.objects.filter(kind=ShareMovement.Kind.REPAYMENT).count() == 1
    assert RepaymentRequest.objects.get(member=carol).is_pending


# -- 3. the member's statement at a date -----------------------------------------------------


def test_member_downloads_a_statement_of_their_shares_at_a_date(member_page: Page, register):
    # Last year: 4 shares (200 €) on 1 March, 50 € paid, the rest due in a year; 100 € paid on
    # 1 June.
    year = timezone.localdate().year - 1
    alice = member_with_account(
        register,
        "volunteer",
        first_name="Alice",
        last_name="Martin",
        email="alice.martin@example.org",
        applied_on=dt.date(year, 1, 10),
        decided_on=dt.date(year, 2, 1),
    )
    subscription = subscribe(alice, 4, paid=50, on=dt.date(year, 3, 1))
    share_pay(
        member=alice,
        amount=Decimal(100),
        effective_on=dt.date(year, 6, 1),
        decision_ref=f"Virement du 1er juin {year}",
        actor=None,
    )
    page = member_page
    sign_in_with_password(page, alice.email, TEST_PASSWORD)
    open_from_menu(page, fr("Main navigation"), fr("My shares"))
    expect(page).to_have_url(path_is(reverse("capital:me")))
    expect(fact(page, fr("Paid up"))).to_have_text(fr_euros(150))
    statement = page.get_by_role("region", name=fr("Statement of your shares"))
    on = statement.get_by_label(fr("Statement at the end of"))
    expect(on).to_have_value(timezone.localdate().isoformat())
    download = statement.get_by_role("button", name=fr("Download the statement"))

    # A date in the future is refused, with the reason, on the same page.
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    on.fill(tomorrow.isoformat())
    click_and_load(page, download)
    expect(page).to_have_url(path_is(reverse("capital:me_statement")))
    assert_accessible(page)
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(fr("The statement could not be drawn up"))
    expect(alert).to_contain_text(
        fr("A statement can only be drawn up to today (%(today)s): %(date)s is in the future.")
        % {"today": fr_date(timezone.localdate()), "date": fr_date(tomorrow)}
    )
    expect(on).to_have_attribute("aria-invalid", "true")

    # On 30 April, before the payment: 4 shares, 50 € paid, 150 € not yet paid.
    on.fill(dt.date(year, 4, 30).isoformat())
    with page.expect_download() as download_info:
        download.click()
    pdf = download_info.value
    assert pdf.suggested_filename == f"statement-{alice.number}-{year}-04-30.pdf"
    text = pdf_text(Path(pdf.path()).read_bytes())
    assert fr("Statement of shares on %(date)s") % {"date": fr_date(dt.date(year, 4, 30))} in text
    assert "Alice Martin" in text
    assert COOPERATIVE in text
    held = f"{fr('Shares held')} 4 {fr('Capital subscribed')} {folded(fr_euros(200))} "
    assert held in text
    paid = f"{fr('Paid up')} {folded(fr_euros(50))} {fr('Not yet paid up')} {folded(fr_euros(150))}"
    assert paid in text
    assert "Bulletin de souscription" in text
    assert f"Virement du 1er juin {year}" not in text
    assert str(subscription.seq) in text

    # The same page in English: the statement at the end of the year, payment included.
    click_and_load(page, language_button(page))
    assert current_language(page) == "en"
    assert_accessible(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("My shares")
    statement = page.get_by_role("region", name="Statement of your shares")
    statement.get_by_label("Statement at the end of").fill(dt.date(year, 12, 31).isoformat())
    with page.expect_download() as download_info:
        statement.get_by_role("button", name="Download the statement").click()
    text = pdf_text(Path(download_info.value.path()).read_bytes())
    with translation.override("en"):
        year_end = date_format(dt.date(year, 12, 31), "DATE_FORMAT")
    assert f"Statement of shares on {year_end}" in text
    assert "Paid up €150.00 Not yet paid up €50.00" in text
    assert f"Virement du 1er juin {year}" in text


# -- 4. public bodies hold at most half of the capital ---------------------------------------


def test_a_subscription_taking_public_bodies_above_half_the_capital_is_refused(
    page: Page, register: dict, administrator: tuple[str, str]
) -> None:
    year = timezone.localdate().year - 1
    joined = {"applied_on": dt.date(year, 1, 10), "decided_on": dt.date(year, 2, 1)}
    alice = member(register, first_name="Alice", last_name="Martin", **joined)
    subscribe(alice, 2, on=dt.date(year, 3, 1))  # 100 €
    town = member(
        register,
        "public",
        person_kind="legal",
        legal_name="Commune de Vif",
        representative_name="Jeanne Morel",
        **joined,
    )
    admin_email, totp_secret = administrator
    sign_in_as_administrator(page, admin_email, totp_secret)
    open_capital_desk(page)
    expect(page.locator("#public-bodies")).to_contain_text(fr_euros(0))

    # 3 shares (150 €) would give the commune 150 € of a capital of 250 €: refused.
    record_for_member(page, town, fr("a subscription"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        fr("Record a subscription of shares by %(name)s") % {"name": "Commune de Vif"}
    )
    page.get_by_label(fr("Number of shares")).fill("3")
    page.get_by_label(fr("Decision reference")).fill("Délibération du conseil municipal n° 7")
    page.get_by_label(fr("Amount paid now (€)")).fill("150.00")
    click_and_load(page, page.get_by_role("button", name=fr("Record the subscription")))
    expect(page).to_have_url(path_is(reverse("capital:subscribe", args=[town.pk])))
    assert_accessible(page)
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(fr("Nothing was recorded. Please correct:"))
    expect(alert).to_contain_text(
        fr(
            "Public bodies together may hold at most %(cap)s of the capital: after this "
            "movement they would hold %(public)s of a capital of %(capital)s."
        )
        % {"cap": "1/2", "public": fr_euros(150), "capital": fr_euros(250)}
    )
    assert not ShareMovement.objects.filter(member=town).exists()

    # 2 shares (100 €) bring them to exactly half: recorded, and the overview shows the share.
    page.get_by_label(fr("Number of shares")).fill("2")
    page.get_by_label(fr("Amount paid now (€)")).fill("100.00")
    click_and_load(page, page.get_by_role("button", name=fr("Record the subscription")))
    expect(page).to_have_url(path_is(reverse("capital:overview")))
    assert_accessible(page)
    assert ShareMovement.objects.get(member=town).amount == Decimal("100.00")
    expect(page.locator("#capital")).to_have_text(fr_euros(200))
    public_share = page.locator("#public-bodies")
    expect(public_share).to_contain_text(fr_euros(100))
    with translation.override("fr"):
        percent = gettext("%(percent)s of the capital") % {
            "percent": formatting.percent_points(50, language="fr")
        }
    expect(public_share).to_contain_text(percent)


# -- 5. a transfer of shares between two members ---------------------------------------------


def test_transfer_between_members_refused_beyond_the_givers_shares_then_recorded(
    page: Page, register: dict, administrator: tuple[str, str]
) -> None:
    year = timezone.localdate().year - 1
    joined = {"applied_on": dt.date(year, 1, 10), "decided_on": dt.date(year, 2, 1)}
    alice = member(register, first_name="Alice", last_name="Martin", **joined)
    bob = member(register, first_name="Bob", last_name="Bernard", **joined)
    subscribe(alice, 4, on=dt.date(year, 3, 1))  # 200 €, fully paid
    admin_email, totp_secret = administrator
    sign_in_as_administrator(page, admin_email, totp_secret)
    open_capital_desk(page)
    record_for_member(page, alice, fr("a transfer of shares"))
    expect(page).to_have_url(path_is(reverse("capital:transfer", args=[alice.pk])))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        fr("Record a transfer of shares by %(name)s") % {"name": "Alice Martin"}
    )
    expect(fact(page, fr("Shares held"))).to_have_text("4")
    # Who approves a transfer is a parameter of the statutes: the board here.
    expect(page.get_by_role("main")).to_contain_text(fr_text(Statutes.Body.BOARD.label))

    # Alice holds 4 shares: she cannot give 5.
    receiver = page.get_by_label(fr("Member receiving the shares"))
    receiver.select_option(label=f"Bob Bernard ({bob.number})")
    page.get_by_label(fr("Number of shares")).fill("5")
    page.get_by_label(fr("Decision reference")).fill("CA du 4 novembre, décision 12")
    click_and_load(page, page.get_by_role("button", name=fr("Record the transfer")))
    assert_accessible(page)
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(fr("Nothing was recorded. Please correct:"))
    expect(alert).to_contain_text(
        fr(
            "%(member)s holds %(held)s shares, paid up to %(paid)s: they cannot transfer "
            "%(shares)s fully paid shares (%(amount)s)."
        )
        % {
            "member": "Alice Martin",
            "held": 4,
            "paid": fr_euros(Decimal("200.00")),
            "shares": 5,
            "amount": fr_euros(Decimal("250.00")),
        }
    )
    assert not ShareMovement.objects.filter(kind=ShareMovement.Kind.TRANSFER).exists()

    # 3 shares: two movements, out of Alice and into Bob; the capital does not change.
    expect(receiver.locator("option:checked")).to_have_text(f"Bob Bernard ({bob.number})")
    page.get_by_label(fr("Number of shares")).fill("3")
    click_and_load(page, page.get_by_role("button", name=fr("Record the transfer")))
    expect(page).to_have_url(path_is(reverse("capital:overview")))
    assert_accessible(page)
    out, into = ShareMovement.objects.filter(kind=ShareMovement.Kind.TRANSFER).order_by("seq")
    assert (out.member, out.counterparty, out.shares) == (alice, bob, -3)
    assert (into.member, into.counterparty, into.shares) == (bob, alice, 3)
    expect(page.locator("#messages")).to_contain_text(
        fr("Movement no. %(seq)s: %(giver)s transferred %(shares)s shares to %(receiver)s.")
        % {"seq": out.seq, "giver": "Alice Martin", "shares": 3, "receiver": "Bob Bernard"}
    )
    expect(page.locator("#capital")).to_have_text(fr_euros(200))
    # Bob now holds the 3 shares, as his own transfer page shows.
    record_for_member(page, bob, fr("a transfer of shares"))
    expect(fact(page, fr("Shares held"))).to_have_text("3")
