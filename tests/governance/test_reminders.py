"""Reminders before the distance-voting deadline: members who have neither voted nor given a
proxy get one, once, even when the task runs twice or twice at the same time."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone, translation

from coop.models import Notice, NoticeDelivery
from governance.models import Assembly
from governance.services.proxies import proxy_give
from governance.services.reminders import (
    REMINDER_NOTICE,
    assemblies_due_for_reminders,
    reminders_send_due,
)
from governance.tasks import assembly_send_reminders
from tests.governance.factories import (
    PARIS,
    convened_assembly,
    e_notices_on,
    members_admitted,
    statutes_and_register,
    voted_at_distance,
)


def _assembly_with_deadline_in(hours: float, members, **fields) -> Assembly:
    deadline = timezone.now() + dt.timedelta(hours=hours)
    return convened_assembly(
        members=members,
        starts_at=(deadline + dt.timedelta(days=1)).astimezone(PARIS),
        distance_vote_deadline=deadline,
        **fields,
    )


def _reminded(assembly: Assembly) -> list[str]:
    return sorted(
        NoticeDelivery.objects.filter(
            notice__kind=REMINDER_NOTICE, notice__reference=f"assembly:{assembly.pk}"
        ).values_list("recipient_key", flat=True)
    )


@pytest.mark.django_db
def test_only_members_who_neither_voted_nor_gave_a_proxy_are_reminded_once():
    register = statutes_and_register()
    members = members_admitted(register, 6)
    e_notices_on(members[:5])  # the sixth refused e-mail notices
    assembly = _assembly_with_deadline_in(30, members)
    entries = list(assembly.roll.order_by("member_number"))
    voted_at_distance(entries[0])
    proxy_give(assembly=assembly, giver=entries[1], holder=entries[2], actor=None)

    result = assembly_send_reminders()

    expected = sorted(f"member:{e.member_id}" for e in entries[2:5])
    assert _reminded(assembly) == expected
    assert result == {str(assembly.pk): 3}
    delivery = NoticeDelivery.objects.get(
        notice__kind=REMINDER_NOTICE, recipient_key=f"member:{entries[2].member_id}"
    )
    assert delivery.to_email == entries[2].member.email
    assert assembly.title in delivery.subject
    assert f"/assemblies/{assembly.pk}/" in delivery.body_text
    assert entries[2].name in delivery.body_text

    # The task runs again: nobody gets a second reminder.
    assert assembly_send_reminders() == {str(assembly.pk): 0}
    assert _reminded(assembly) == expected
    assert Notice.objects.filter(kind=REMINDER_NOTICE).count() == 1


@pytest.mark.django_db
def test_only_assemblies_whose_deadline_is_within_two_days_and_not_passed():
    register = statutes_and_register()
    members = members_admitted(register, 2)
    e_notices_on(members)
    due = _assembly_with_deadline_in(47, members, title="Due")
    _assembly_with_deadline_in(52, members, title="Too early")
    passed = _assembly_with_deadline_in(2, members, title="Passed")
    cancelled = _assembly_with_deadline_in(20, members, title="Cancelled")
    Assembly.objects.filter(pk=cancelled.pk).update(status=Assembly.Status.CANCELLED)
    later = timezone.now() + dt.timedelta(hours=3)  # the deadline of "Passed" is behind us

    assert list(assemblies_due_for_reminders(now=later)) == [due]
    sent = reminders_send_due(now=later)
    assert [(s.assembly, s.queued) for s in sent] == [(due, 2)]
    assert Notice.objects.filter(kind=REMINDER_NOTICE).get().reference == f"assembly:{due.pk}"
    assert _reminded(passed) == []


@pytest.mark.django_db(transaction=True)
def test_the_task_run_twice_at_the_same_time_reminds_each_member_once():
    register = statutes_and_register()
    members = members_admitted(register, 40)
    e_notices_on(members)
    assembly = _assembly_with_deadline_in(10, members)
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def run():
        try:
            barrier.wait()
            with translation.override("en"):
                assembly_send_reminders()
        except BaseException as exc:  # checked in the test thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert _reminded(assembly) == sorted(f"member:{m.pk}" for m in members)
    assert Notice.objects.filter(kind=REMINDER_NOTICE).count() == 1
