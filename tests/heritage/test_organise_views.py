"""Organisers and administrators: communities, preparing, publishing, changing, cancelling,
the registrations (CSV, sign-in sheet) and the attendance; members join and leave."""

import datetime as dt
import io
import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from coop.errors import DomainError
from coop.models import NoticeDelivery
from heritage.models import CommunityMembership, Gathering, HeritageCommunity, Registration
from heritage.services import (
    community_join,
    gathering_update,
    notices,
    registration_guest_request,
    registration_guest_verify,
    registration_member_create,
)
from heritage.tokens import verify_token
from tests.coop.factories import StatutesFactory, UserFactory
from tests.heritage.factories import community, gathering, gathering_data

pytestmark = pytest.mark.django_db


def _form(start, **overrides):
    values = {
        "title": "Visite du musée",
        "kind": "visit",
        "description": "Les métiers à tisser.",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "place": "Rue d'Ivry, Lyon",
        "capacity": "12",
        "accessibility": "De plain-pied.",
        "visibility": "public",
        "registration_deadline": "",
    }
    values.update(overrides)
    return values


def test_an_administrator_creates_a_community_and_names_its_organisers(admin_client):
    organiser = UserFactory(email="olympe@example.org")
    url = reverse("heritage:admin_community_create")
    refused = admin_client.post(url, {"name": "Canuts", "organisers": "nobody@example.org"})
    assert refused.status_code == 400
    assert "nobody@example.org" in refused.content.decode()
    response = admin_client.post(
        url, {"name": "Canuts", "territory": "Lyon", "organisers": "Olympe@example.org"}
    )
    assert response.status_code == 302
    made = HeritageCommunity.objects.get()
    assert list(made.organisers.all()) == [organiser]
    assert organiser.groups.filter(name="organiser").exists()
    assert "Canuts" in admin_client.get(reverse("heritage:admin_communities")).content.decode()


def test_community_administration_needs_an_administrator(client):
    client.force_login(UserFactory(roles=["organiser", "member"]))
    assert client.get(reverse("heritage:admin_communities")).status_code == 403


def test_an_organiser_prepares_and_publishes_a_gathering_the_community_is_told(client):
    organiser = UserFactory(roles=["organiser"])
    canuts = community(organisers=[organiser])
    listener, silent = UserFactory(roles=["member"]), UserFactory(roles=["member"])
    community_join(community=canuts, user=listener, notify=True)
    community_join(community=canuts, user=silent, notify=False)
    client.force_login(organiser)
    start = timezone.localtime() + dt.timedelta(days=5)
    url = reverse("heritage:gathering_create", args=[canuts.slug])
    bad = client.post(url, _form(start, ends_at=start.strftime("%Y-%m-%dT%H:%M")))
    assert bad.status_code == 400
    response = client.post(url, _form(start))
    made = Gathering.objects.get()
    assert response.url == reverse("heritage:gathering_manage", args=[made.pk])
    assert made.status == "draft"
    assert made.starts_at == start.replace(second=0, microsecond=0)
    client.post(reverse("heritage:gathering_publish", args=[made.pk]))
    made.refresh_from_db()
    assert made.status == "published"
    copies = NoticeDelivery.objects.filter(notice__kind=notices.GATHERING_PUBLISHED)
    assert [c.to_email for c in copies] == [listener.email]
    assert "Visite du musée" in copies.get().subject


def test_other_people_cannot_organise(client):
    event = gathering()
    client.force_login(UserFactory(roles=["organiser", "member"]))
    assert client.get(reverse("heritage:gathering_manage", args=[event.pk])).status_code == 403
    assert client.post(reverse("heritage:gathering_cancel", args=[event.pk])).status_code == 403
    assert (
        "No heritage community names you"
        in client.get(reverse("heritage:organise")).content.decode()
    )


def test_a_capacity_below_the_seats_taken_is_refused_with_a_clear_message(client):
    event = gathering(capacity=3)
    for _ in range(3):
        registration_member_create(gathering=event, user=UserFactory(roles=["member"]))
    organiser = event.community.organisers.get()
    client.force_login(organiser)
    start = timezone.localtime(event.starts_at)
    response = client.post(
        reverse("heritage:gathering_edit", args=[event.pk]), _form(start, capacity="2")
    )
    assert response.status_code == 400
    assert "3 people already hold a seat" in response.content.decode()
    event.refresh_from_db()
    assert event.capacity == 3


def test_a_new_time_tells_the_registered_people_and_more_seats_go_to_the_line():
    event = gathering(capacity=1)
    seated, waiting = UserFactory(roles=["member"]), UserFactory(roles=["member"])
    registration_member_create(gathering=event, user=seated)
    registration_member_create(gathering=event, user=waiting)
    organiser = event.community.organisers.get()
    gathering_update(gathering=event, data=gathering_data(capacity=1), actor=organiser)
    assert not NoticeDelivery.objects.filter(notice__kind=notices.GATHERING_CHANGED).exists()
    later = event.starts_at + dt.timedelta(days=1)
    gathering_update(
        gathering=event, data=gathering_data(starts_at=later, capacity=2), actor=organiser
    )
    copies = NoticeDelivery.objects.filter(notice__kind=notices.GATHERING_CHANGED)
    assert sorted(c.to_email for c in copies) == sorted([seated.email, waiting.email])
    assert Registration.objects.get(user=waiting).status == "offered"
    with pytest.raises(DomainError, match="capacity cannot be lower"):
        gathering_update(gathering=event, data=gathering_data(capacity=1), actor=organiser)


def test_cancelling_tells_everyone_registered(client):
    event = gathering(capacity=1)
    registration_member_create(gathering=event, user=UserFactory(roles=["member"]))
    registration_member_create(gathering=event, user=UserFactory(roles=["member"]))
    client.force_login(event.community.organisers.get())
    client.post(reverse("heritage:gathering_cancel", args=[event.pk]))
    event.refresh_from_db()
    assert event.status == "cancelled"
    assert NoticeDelivery.objects.filter(notice__kind=notices.GATHERING_CANCELLED).count() == 2


def test_registrations_export_sign_in_sheet_and_attendance(client):
    StatutesFactory(effective_from=dt.date(2020, 1, 1))
    event = gathering(capacity=2)
    came = registration_member_create(gathering=event, user=UserFactory(roles=["member"]))
    guest = registration_guest_request(gathering=event, name="=Louise", email="l@example.org")
    registration_guest_verify(token=verify_token(guest.pk))
    client.force_login(event.community.organisers.get())
    csv = client.get(reverse("heritage:registrations_csv", args=[event.pk]))
    text = csv.content.decode("utf-8")
    assert text.startswith("\ufeffName;E-mail address;Status")
    assert "'=Louise;l@example.org;confirmed" in text
    assert "\r\n" in text
    pdf = client.get(reverse("heritage:sign_in_sheet", args=[event.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    sheet = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "=Louise" in sheet
    assert "capital variable" in sheet

    attendance = reverse("heritage:attendance", args=[event.pk])
    client.post(attendance, {"present": [came.pk]})
    assert Registration.objects.get(pk=came.pk).attended is None  # not started yet
    Gathering.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=1), ends_at=timezone.now()
    )
    client.post(attendance, {"present": [came.pk]})
    assert Registration.objects.get(pk=came.pk).attended is True
    assert Registration.objects.get(pk=guest.pk).attended is False
    event.refresh_from_db()
    assert event.status == "held"


def test_members_join_and_leave_from_their_portal(client):
    canuts = community(name="Canuts")
    person = UserFactory(roles=["member"])
    client.force_login(person)
    page = client.get(reverse("heritage:my")).content.decode()
    assert "Canuts" in page
    client.post(reverse("heritage:community_join", args=[canuts.slug]), {"next": "my"})
    membership = CommunityMembership.objects.get(user=person)
    assert membership.kind == "participant"  # a user without a register entry is no member
    client.post(reverse("heritage:community_leave", args=[canuts.slug]), {"next": "my"})
    assert not CommunityMembership.objects.exists()


def test_someone_without_an_account_joins_as_a_participant_with_a_checked_address(client):
    canuts = community(name="Canuts")
    response = client.post(
        reverse("heritage:community_participate", args=[canuts.slug]),
        {"name": "Louise Labé", "email": "louise@example.org", "notify": "on"},
    )
    assert response.status_code == 200
    assert not CommunityMembership.objects.exists()
    body = NoticeDelivery.objects.get(notice__kind=notices.PARTICIPANT_VERIFY).body_text
    link = re.search(r"/heritage/participate/[^\s]+/", body).group(0)
    response = client.get(link)
    assert response.status_code == 200
    membership = CommunityMembership.objects.get()
    assert membership.kind == "participant"
    assert membership.notify is True
    assert membership.user.email == "louise@example.org"
    assert membership.user.emailaddress_set.get().verified
    assert not membership.user.groups.exists()  # no role: no vote anywhere
    assert (
        not Group.objects.get_or_create(name="member")[0]
        .user_set.filter(pk=membership.user.pk)
        .exists()
    )
