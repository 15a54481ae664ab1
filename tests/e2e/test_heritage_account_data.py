"""A participant who is not a member downloads their personal data in the browser (RULES 5):
signed in with a code sent by e-mail, from "My communities". The page is checked with
axe-core."""

import json

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from heritage.services import participant_confirm, registration_member_create
from heritage.tokens import participate_token
from tests.e2e.helpers import (
    assert_accessible,
    click_and_load,
    code_from_mail,
    expect_signed_in,
    fr,
    open_sign_in_from_home,
    path_is,
)
from tests.heritage.factories import community, gathering

pytestmark = pytest.mark.e2e


def test_a_participant_downloads_their_personal_data(page: Page, mailoutbox) -> None:
    canuts = community(name="Canuts de la Croix-Rousse")
    membership = participant_confirm(
        token=participate_token(
            community_pk=canuts.pk, email="louise@example.org", name="Louise Labé", notify=False
        )
    )
    walk = gathering(of=canuts, title="Balade des traboules")
    other = community(name="Jardins ouvriers")
    gathering(of=other, title="Visite des jardins")
    registration_member_create(gathering=walk, user=membership.user)

    # A participant has no password: a code sent by e-mail signs them in.
    open_sign_in_from_home(page)
    click_and_load(page, page.get_by_role("link", name=fr("Send me a sign-in code")))
    page.get_by_label(fr("Email")).fill("louise@example.org")
    click_and_load(page, page.get_by_role("button", name=fr("Request Code")))
    page.get_by_label(fr("Code")).fill(code_from_mail(mailoutbox[-1]))
    click_and_load(page, page.get_by_role("button", name=fr("Confirm")))
    expect_signed_in(page, "louise@example.org")

    navigation = page.get_by_role("navigation").first
    click_and_load(page, navigation.get_by_role("link", name=fr("My communities")))
    expect(page).to_have_url(path_is(reverse("heritage:my")))
    assert_accessible(page)
    section = page.get_by_role("region", name=fr("Your personal data"))
    expect(section).to_contain_text(
        fr(
            "Download what the cooperative holds about you, in a machine-readable file (JSON): "
            "your login account with its e-mail addresses, the communities you joined or "
            "organise, your registrations to gatherings and the items and images you "
            "contributed."
        )
    )
    expect(section.get_by_role("link", name=fr("My membership"))).to_have_count(0)

    with page.expect_download() as download_info:
        section.get_by_role("link", name=fr("Download my personal data (JSON)")).click()
    download = download_info.value
    stamp = timezone.localdate().isoformat()
    assert download.suggested_filename == f"personal-data-account-{stamp}.json"
    with open(download.path(), encoding="utf-8") as file:
        data = json.load(file)
    assert data["format"] == "voliere-account-data/1"
    assert data["account"]["email"] == "louise@example.org"
    assert data["account"]["last_name"] == "Labé"
    assert [c["community"] for c in data["heritage"]["communities"]] == [
        "Canuts de la Croix-Rousse"
    ]
    assert [r["gathering"] for r in data["heritage"]["registrations"]] == ["Balade des traboules"]
    assert "Visite des jardins" not in json.dumps(data, ensure_ascii=False)
