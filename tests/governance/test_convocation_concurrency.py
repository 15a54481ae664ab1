"""Convening is done once: two administrators pressing "Convene" at the same time give one
roll and one convocation per member; the other is told the assembly was already convened."""

import threading

import pytest
from django.db import connection
from django.utils import translation

from coop.models import Notice, NoticeDelivery
from governance.lifecycle import AssemblyRefused
from governance.models import Assembly, RollEntry
from governance.services.convocation import assembly_convene
from tests.governance.factories import draft_assembly, members_admitted, statutes_and_register

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_administrators_convening_at_once_convene_once():
    members_admitted(statutes_and_register(), 5)
    assembly = draft_assembly()
    barrier = threading.Barrier(4)
    outcomes: list[object] = []

    def convene() -> None:
        try:
            barrier.wait()
            with translation.override("en"):
                outcomes.append(assembly_convene(assembly=assembly, actor=None))
        except BaseException as exc:  # collected and checked in the test thread
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=convene) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    convened = [o for o in outcomes if isinstance(o, Assembly)]
    refused = [o for o in outcomes if isinstance(o, AssemblyRefused)]
    assert (len(convened), len(refused)) == (1, 3), outcomes
    assert all("already convened" in str(error) for error in refused)
    assert RollEntry.objects.filter(assembly=assembly).count() == 5
    assert Notice.objects.count() == 1 and NoticeDelivery.objects.count() == 5
