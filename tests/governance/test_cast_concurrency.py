"""One ballot per member under real concurrency: 100 members each send two different votes at
the same moment, through the whole stack (session, roll, proxy checks, write)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import OperationalError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from coop.errors import DomainError
from governance.models import Assembly, Participation, RollEntry, UrnBallot
from governance.services.ballots import ballot_cast
from governance.services.voting import voting_close
from members.models import Member
from tests.coop.factories import UserFactory
from tests.governance.factories import convened_assembly, members_admitted, statutes_and_register

pytestmark = pytest.mark.django_db(transaction=True)

MEMBERS = 100
# Fewer threads than requests: PostgreSQL's default of 100 connections must also serve the
# test itself; each member's two requests still race each other at the barrier.
THREADS = 40


def test_two_hundred_parallel_casts_from_one_hundred_members_make_one_hundred_ballots():
    register = statutes_and_register()
    assembly = convened_assembly(members=members_admitted(register, MEMBERS), resolutions=1)
    resolution = assembly.resolutions.get()
    url = reverse("governance:ballot", kwargs={"pk": assembly.pk})
    clients = []
    for entry in RollEntry.objects.filter(assembly=assembly).select_related("member"):
        user = UserFactory(roles=["member"], email=entry.member.email)
        Member.objects.filter(pk=entry.member_id).update(user=user)
        for choice in ("for", "against"):
            client = Client(HTTP_ACCEPT_LANGUAGE="en")
            client.force_login(user)
            clients.append((client, entry.pk, choice))

    barriers: dict[int, threading.Barrier] = {}
    for _client, entry_pk, _choice in clients:
        barriers.setdefault(entry_pk, threading.Barrier(2))

    def cast(job):
        client, entry_pk, choice = job
        try:
            barriers[entry_pk].wait(timeout=60)
            with translation.override("en"):
                response = client.post(
                    url,
                    {f"resolution_{resolution.pk}": choice, "voices": [entry_pk], "step": "cast"},
                )
            return response.status_code, response.content.decode()
        finally:
            connection.close()

    # Both requests of a member are next to each other in the queue, so they run together.
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        outcomes = list(pool.map(cast, clients))

    statuses = [status for status, _body in outcomes]
    assert set(statuses) == {200}, "no server error, every request answered"
    accepted = [body for _s, body in outcomes if "Your vote is cast" in body]
    refused = [
        body for _s, body in outcomes if "already been cast" in body or "has been cast" in body
    ]
    assert len(accepted) == MEMBERS
    assert len(refused) == MEMBERS
    assert UrnBallot.objects.filter(resolution=resolution).count() == MEMBERS  # until close
    assert Participation.objects.filter(resolution=resolution).count() == MEMBERS
    counts = {c: UrnBallot.objects.filter(choice=c).count() for c in ("for", "against")}
    assert sum(counts.values()) == MEMBERS


def test_closing_waits_for_a_cast_in_flight_and_no_cast_follows_the_close():
    register = statutes_and_register()
    assembly = convened_assembly(members=members_admitted(register, 2), resolutions=1)
    Assembly.objects.filter(pk=assembly.pk).update(
        status=Assembly.Status.VOTING_OPEN, meeting_opened_at=timezone.now()
    )
    holding, released = threading.Event(), threading.Event()

    def cast_in_flight():
        # A cast holds the assembly row in SHARE mode until it commits.
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    "SELECT 1 FROM governance_assembly WHERE id = %s FOR SHARE", [assembly.pk]
                )
                holding.set()
                released.wait(timeout=30)
        finally:
            connection.close()

    thread = threading.Thread(target=cast_in_flight)
    thread.start()
    assert holding.wait(timeout=30)
    with pytest.raises(OperationalError, match="lock"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '200ms'")
        voting_close(assembly=assembly, actor=None)
    released.set()
    thread.join(timeout=30)

    voting_close(assembly=assembly, actor=None)
    entry = RollEntry.objects.filter(assembly=assembly).first()
    with pytest.raises(DomainError, match="closed"):
        ballot_cast(
            assembly=assembly,
            voter=entry,
            choices={assembly.resolutions.get().pk: "for"},
            actor=None,
        )
