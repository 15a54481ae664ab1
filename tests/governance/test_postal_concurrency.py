"""One voice per member under real concurrency (RULES 33): the bureau records a member's
postal form while the member votes online, at the same moment, on real PostgreSQL. Exactly one
counts; the other is refused with the reason."""

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.utils import timezone, translation

from coop.errors import DomainError
from governance.models import PaperForm, Participation, RollEntry, UrnBallot
from governance.services.ballots import ballot_cast
from governance.services.postal import paper_proxy_record, postal_form_record
from tests.coop.factories import UserFactory
from tests.governance.factories import convened_assembly, members_admitted, statutes_and_register

pytestmark = pytest.mark.django_db(transaction=True)

MEMBERS = 12


def test_a_postal_form_and_an_online_vote_of_the_same_member_at_once_count_once():
    register = statutes_and_register()
    assembly = convened_assembly(
        members=members_admitted(register, MEMBERS), resolutions=2, positions=(True, False)
    )
    bureau = UserFactory(roles=["administrator", "member"], is_staff=True)
    now = assembly.distance_vote_deadline - dt.timedelta(hours=1)
    choices = dict.fromkeys(assembly.resolutions.values_list("pk", flat=True), "for")
    entries = list(RollEntry.objects.filter(assembly=assembly).order_by("member_number"))
    barriers = {entry.pk: threading.Barrier(2) for entry in entries}
    jobs = [(entry, kind) for entry in entries for kind in ("paper", "online")]

    def run(job):
        entry, kind = job
        try:
            barriers[entry.pk].wait(timeout=60)
            translation.activate("en")  # a thread starts in the site's default language
            if kind == "online":
                ballot_cast(assembly=assembly, voter=entry, choices=choices, actor=None, now=now)
            elif entry.member_number % 2:  # half postal votes, half blank proxies
                postal_form_record(
                    assembly=assembly,
                    roll_entry=entry,
                    received_on=timezone.localdate(now),
                    option=PaperForm.Option.VOTE,
                    choices=dict.fromkeys(choices, "against"),
                    amendments=PaperForm.Amendments.CHAIR,
                    actor=bureau,
                    now=now,
                )
            else:
                paper_proxy_record(
                    assembly=assembly,
                    roll_entry=entry,
                    received_on=timezone.localdate(now),
                    actor=bureau,
                    now=now,
                )
            return entry.pk, kind, "accepted", ""
        except DomainError as exc:
            return entry.pk, kind, "refused", str(exc)
        finally:
            translation.deactivate()
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(run, jobs))

    by_member: dict[int, list[tuple[str, str, str]]] = {}
    for entry_pk, kind, verdict, message in outcomes:
        by_member.setdefault(entry_pk, []).append((kind, verdict, message))
    for entry in entries:
        verdicts = sorted(by_member[entry.pk])
        assert [v for _k, v, _m in verdicts].count("accepted") == 1, verdicts
        kind, _verdict, message = next(v for v in verdicts if v[1] == "refused")
        if kind == "online":
            assert "was recorded on" in message  # the paper came first, and says so
            assert PaperForm.objects.filter(roll_entry=entry, counted=True).exists()
        else:
            assert "already voted online" in message or "already been" in message
            assert not PaperForm.objects.filter(roll_entry=entry).exists()
        # One voice: one participation per resolution, whoever won.
        assert Participation.objects.filter(roll_entry=entry).count() == 2
    assert UrnBallot.objects.filter(resolution__assembly=assembly).count() == 2 * MEMBERS
