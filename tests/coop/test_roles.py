"""Roles as groups, the role_required guard, MFA for administrators, the domain error."""

import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.contrib.auth.models import Group
from django.urls import reverse

from coop.roles import ROLE_PERMISSIONS, Role, sync_role_groups
from tests.coop.factories import TEST_PASSWORD, UserFactory
from tests.coop.mfa import activate_totp, force_login_first_factor, record_sign_in


def current_code(secret: str) -> str:
    counter = int(time.time()) // 30
    return format_hotp_value(hotp_value(secret, counter))


pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.coop.urls_for_tests")]


def test_role_groups_carry_exactly_their_permissions():
    sync_role_groups()
    sync_role_groups()  # idempotent
    admin = Group.objects.get(name="administrator")
    names = {f"{p.content_type.app_label}.{p.codename}" for p in admin.permissions.all()}
    assert names == set(ROLE_PERMISSIONS[Role.ADMINISTRATOR])
    assert set(Group.objects.values_list("name", flat=True)) >= {r.value for r in Role}


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/t/members/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_member_is_refused_administrative_and_organiser_views(client, member_user):
    client.force_login(member_user)
    assert client.get("/t/members/").status_code == 200
    assert client.get("/t/admin-only/").status_code == 403
    assert client.get("/t/organisers/").status_code == 403


def test_organiser_reaches_organiser_views_without_mfa(client):
    organiser = UserFactory(roles=["organiser", "member"])
    client.force_login(organiser)
    assert client.get("/t/organisers/").status_code == 200
    assert client.get("/t/admin-only/").status_code == 403


def test_administrator_without_mfa_is_sent_to_totp_setup(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/t/admin-only/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))
    assert "next=%2Ft%2Fadmin-only%2F" in response["Location"]


def test_administrator_with_mfa_reaches_administrative_views(client, admin_user):
    activate_totp(admin_user)
    client.force_login(admin_user)  # password, then TOTP (tests/conftest.py)
    assert client.get("/t/admin-only/").status_code == 200


def test_a_session_without_the_second_factor_is_sent_to_the_totp_step(client, admin_user):
    activate_totp(admin_user)
    force_login_first_factor(client, admin_user)
    record_sign_in(client, admin_user, mfa=False)  # a password only
    response = client.get("/t/admin-only/")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('mfa_reauthenticate')}?next=%2Ft%2Fadmin-only%2F"
    page = client.get(response["Location"]).content.decode()
    assert "Enter a code from your authenticator app to reach administrative pages" in page
    # Pages for members and organisers do not ask for it.
    assert client.get("/t/members/").status_code == 200
    assert client.get("/t/organisers/").status_code == 200


def test_the_second_factor_of_another_account_does_not_count(client, admin_user):
    other = UserFactory(roles=["administrator"])
    activate_totp(other)
    activate_totp(admin_user)
    force_login_first_factor(client, admin_user)
    record_sign_in(client, other)  # records of another user in this session
    assert client.get("/t/admin-only/").status_code == 302


@pytest.mark.parametrize(("hours_ago", "status"), [(0, 200), (11.9, 200), (12.01, 302), (30, 302)])
def test_the_second_factor_is_asked_again_after_12_hours(client, admin_user, hours_ago, status):
    activate_totp(admin_user)
    force_login_first_factor(client, admin_user)
    record_sign_in(client, admin_user, at=time.time() - hours_ago * 3600)
    response = client.get("/t/admin-only/")
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith(reverse("mfa_reauthenticate"))


def sign_in_with_password(client, user) -> None:
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302, response.content


def test_totp_enrolled_elsewhere_does_not_promote_a_password_session(client, admin_user):
    sign_in_with_password(client, admin_user)  # no authenticator yet: signed in
    assert client.get("/t/admin-only/")["Location"].startswith(reverse("mfa_activate_totp"))

    secret = activate_totp(admin_user)  # enrolled from another session
    response = client.get("/t/admin-only/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))

    # The code of the authenticator app, on allauth's page, lets this session in.
    step = client.post(response["Location"], {"code": current_code(secret)})
    assert step.status_code == 302
    assert step["Location"] == "/t/admin-only/"
    assert client.get("/t/admin-only/").status_code == 200


def test_a_wrong_code_at_the_totp_step_keeps_the_session_out(client, admin_user):
    secret = activate_totp(admin_user)
    force_login_first_factor(client, admin_user)
    record_sign_in(client, admin_user, mfa=False)
    wrong = f"{(int(current_code(secret)) + 1) % 1_000_000:06d}"
    page = client.post(f"{reverse('mfa_reauthenticate')}?next=/t/admin-only/", {"code": wrong})
    assert page.status_code == 200
    assert "Incorrect code." in page.content.decode()
    assert client.get("/t/admin-only/").status_code == 302


def test_setting_up_totp_passes_the_second_factor_for_this_session(client, admin_user):
    sign_in_with_password(client, admin_user)
    activate = reverse("mfa_activate_totp")
    # allauth asks for the password again before a change to two-factor authentication.
    again = client.post(
        f"{reverse('account_reauthenticate')}?next={activate}", {"password": TEST_PASSWORD}
    )
    assert again.status_code == 302
    assert client.get("/t/admin-only/").status_code == 302  # a password is not a second factor
    page = client.get(f"{activate}?next=/t/admin-only/")
    assert page.status_code == 200
    secret = page.context["form"].secret
    done = client.post(activate, {"code": current_code(secret), "next": "/t/admin-only/"})
    assert done.status_code == 302
    assert client.get("/t/admin-only/").status_code == 200


def test_django_admin_login_goes_through_allauth(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_domain_error_becomes_a_message_and_a_redirect(client, member_user):
    client.force_login(member_user)
    response = client.post("/t/refuse/", HTTP_REFERER="http://testserver/")
    assert response.status_code == 302
    assert response["Location"] == "http://testserver/"
    page = client.get("/").content.decode()
    assert "The quorum is not reached: 3 present, 5 required." in page


def test_domain_error_ignores_a_foreign_referer(client, member_user):
    client.force_login(member_user)
    response = client.post("/t/refuse/", HTTP_REFERER="https://evil.example.com/")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_domain_error_on_htmx_retargets_the_messages(client, member_user):
    client.force_login(member_user)
    response = client.post("/t/refuse/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#messages"
    assert b"The quorum is not reached" in response.content
    assert b'id="messages"' in response.content


def test_pages_shared_with_members_show_administrators_extras_only_after_totp(rf, admin_user):
    """coop.roles.is_verified_administrator: results before publication, draft minutes, any
    member's certificate are for an administrator whose session passed TOTP."""
    from django.contrib.sessions.backends.db import SessionStore

    from coop.roles import is_verified_administrator

    secret_holder = UserFactory(roles=["member"])
    activate_totp(secret_holder)
    request = rf.get("/")
    request.user = admin_user
    request.session = SessionStore()
    assert not is_verified_administrator(request)  # no authenticator
    activate_totp(admin_user)
    assert not is_verified_administrator(request)  # an authenticator, not passed here
    request.session["account_authentication_methods_user"] = str(admin_user.pk)
    request.session["account_authentication_methods"] = [
        {"method": "password", "at": time.time()},
        {"method": "mfa", "at": time.time(), "type": "totp"},
    ]
    assert is_verified_administrator(request)
    request.user = secret_holder  # a member with TOTP is no administrator
    assert not is_verified_administrator(request)
