"""Roles as groups, the role_required guard, MFA for administrators, the domain error."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from coop.roles import ROLE_PERMISSIONS, Role, sync_role_groups
from tests.coop.factories import UserFactory
from tests.coop.mfa import activate_totp

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
    client.force_login(admin_user)
    assert client.get("/t/admin-only/").status_code == 200


def test_django_admin_requires_mfa_for_administrators(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))
    activate_totp(admin_user)
    assert client.get("/admin/").status_code == 200


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
