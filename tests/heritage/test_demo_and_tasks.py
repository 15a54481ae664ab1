"""The demo community of `make run`, and the beat tasks (run as Celery runs them, eagerly)."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from coop.models import NoticeDelivery
from heritage import tasks
from heritage.models import CommunityMembership, Gathering, HeritageCommunity, Registration
from heritage.services import notices, registration_cancel, registration_member_create
from tests.coop.factories import UserFactory
from tests.heritage.factories import gathering

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_community_organised_by_the_demo_organiser(capsys):
    call_command("seed_demo")
    community = HeritageCommunity.objects.get()
    assert [u.email for u in community.organisers.all()] == ["organisatrice@voliere.test"]
    published = community.gatherings.filter(status=Gathering.Status.PUBLISHED)
    assert published.count() == 2
    assert all(g.starts_at > timezone.now() for g in published)
    assert community.gatherings.filter(status=Gathering.Status.DRAFT).count() == 1
    walk = community.walks.get()
    assert [stop.item.title for stop in walk.stops.order_by("position")] == [
        "Cour des Voraces",
        "Le Gros Caillou",
    ]
    assert published.filter(walk=walk).count() == 1
    membership = CommunityMembership.objects.get(user__email="membre@voliere.test")
    assert membership.kind == CommunityMembership.Kind.MEMBER


def test_the_beat_tasks_expire_offers_and_send_reminders():
    event = gathering(capacity=1, starts_at=timezone.now() + dt.timedelta(hours=30))
    first, second = UserFactory(roles=["member"]), UserFactory(roles=["member"])
    seat = registration_member_create(gathering=event, user=first)
    line = registration_member_create(gathering=event, user=second)
    registration_cancel(registration=seat)
    assert tasks.heritage_expire_offers.apply().get() == 0
    Registration.objects.filter(pk=line.pk).update(
        offer_expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert tasks.heritage_expire_offers.apply().get() == 1
    assert Registration.objects.get(pk=line.pk).status == Registration.Status.EXPIRED
    # Nobody has a seat of tomorrow's gathering yet: no reminder.
    assert tasks.heritage_send_reminders.apply().get() == 0
    Gathering.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() + dt.timedelta(hours=20),
        ends_at=timezone.now() + dt.timedelta(hours=22),
    )
    registration_member_create(gathering=event, user=UserFactory(roles=["member"]))
    assert tasks.heritage_send_reminders.apply().get() == 1
    assert NoticeDelivery.objects.filter(notice__kind=notices.GATHERING_REMINDER).count() == 1
