"""Administrators' sessions end after 30 minutes without a request; members' do not
(coop.middleware.AdministratorIdleTimeoutMiddleware). The clock is moved, not waited for."""

import time

import pytest
from django.urls import reverse

from tests.coop.factories import UserFactory
from tests.coop.mfa import activate_totp

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.coop.urls_for_tests")]

MINUTE = 60.0


class Clock:
    """time.time() moved by the test (allauth's records and the middleware both read it)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.real = time.time
        self.offset = 0.0
        monkeypatch.setattr(time, "time", lambda: self.real() + self.offset)

    def forward(self, minutes: float) -> None:
        self.offset += minutes * MINUTE


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def test_an_administrator_is_signed_out_after_30_idle_minutes(client, admin_user, clock):
    activate_totp(admin_user)
    client.force_login(admin_user)
    assert client.get("/t/admin-only/").status_code == 200

    clock.forward(29)
    assert client.get("/t/admin-only/").status_code == 200  # activity: the clock starts again
    clock.forward(29)
    assert client.get("/t/members/").status_code == 200  # any page counts as activity

    clock.forward(30)
    response = client.get("/t/admin-only/")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next=%2Ft%2Fadmin-only%2F"
    page = client.get(response["Location"]).content.decode()
    assert "You were signed out after 30 minutes without activity" in page
    # Signed out for good: the next page asks to sign in again.
    again = client.get("/t/members/")
    assert again.status_code == 302
    assert again["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session


def test_the_message_is_in_french_for_a_french_page(client, admin_user, clock):
    activate_totp(admin_user)
    client.force_login(admin_user)
    client.get("/t/admin-only/")
    clock.forward(31)
    response = client.get("/t/admin-only/", HTTP_ACCEPT_LANGUAGE="fr", follow=True)
    assert "Vous avez été déconnecté·e après 30 minutes sans activité" in (
        response.content.decode()
    )


def test_a_post_after_the_idle_time_changes_nothing_and_goes_to_sign_in(client, admin_user, clock):
    activate_totp(admin_user)
    client.force_login(admin_user)
    client.get("/t/admin-only/")
    clock.forward(45)
    response = client.post("/t/refuse/")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login")


def test_an_htmx_request_after_the_idle_time_is_sent_to_sign_in(client, admin_user, clock):
    activate_totp(admin_user)
    client.force_login(admin_user)
    client.get("/t/admin-only/")
    clock.forward(31)
    response = client.get("/t/admin-only/", HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("account_login")


def test_members_keep_the_normal_session_length(client, member_user, clock):
    client.force_login(member_user)
    assert client.get("/t/members/").status_code == 200
    clock.forward(3 * 60)
    assert client.get("/t/members/").status_code == 200
    assert "coop_admin_last_activity" not in client.session


def test_organisers_keep_the_normal_session_length(client, clock):
    organiser = UserFactory(roles=["organiser", "member"])
    client.force_login(organiser)
    assert client.get("/t/organisers/").status_code == 200
    clock.forward(2 * 60)
    assert client.get("/t/organisers/").status_code == 200
