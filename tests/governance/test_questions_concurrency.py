"""The board's answer and the publication of the minutes at the same time (threads, each with
its own database connection): an answer is either in the published minutes or refused, never
changed after them."""

import datetime as dt

import pytest
from django.utils import timezone

from coop.models import AuditEvent
from governance.models import Assembly, Minutes, WrittenQuestion
from governance.services.minutes import minutes_publish, minutes_save
from governance.services.questions import (
    QuestionRefused,
    written_question_answer,
    written_question_ask,
)
from tests.governance.factories import (
    PARIS,
    convened_assembly,
    members_admitted,
    statutes_and_register,
)
from tests.threads import run_in_threads

pytestmark = pytest.mark.django_db(transaction=True)

MEETING = dt.datetime(2027, 6, 11, 18, 0, tzinfo=PARIS)


@pytest.mark.parametrize("round_", range(3))
def test_an_answer_corrected_while_the_minutes_are_published(round_):
    register = statutes_and_register()
    assembly = convened_assembly(members=members_admitted(register, 2), starts_at=MEETING)
    entry = assembly.roll.order_by("member_number").first()
    question = written_question_ask(
        roll_entry=entry, text="Une question", actor=None, now=MEETING - dt.timedelta(days=10)
    )
    written_question_answer(question=question, answer="Première réponse", actor=None)
    Assembly.objects.filter(pk=assembly.pk).update(
        status=Assembly.Status.PUBLISHED, voting_closed_at=timezone.now()
    )
    assembly = Assembly.objects.get(pk=assembly.pk)
    minutes_save(assembly=assembly, debate_summary="Débats.", documents_presented="", actor=None)

    errors = run_in_threads(
        [
            lambda: written_question_answer(
                question=question, answer="Réponse corrigée", actor=None
            ),
            lambda: minutes_publish(assembly=assembly, actor=None),
        ]
    )

    minutes = Minutes.objects.get(assembly=assembly)
    question = WrittenQuestion.objects.get(pk=question.pk)
    assert minutes.published_at is not None
    assert question.answered_at <= minutes.published_at
    if errors:
        assert len(errors) == 1 and isinstance(errors[0], QuestionRefused), errors
        assert question.answer == "Première réponse"
    else:
        # The correction was committed before the minutes were published, never after.
        assert question.answer == "Réponse corrigée"
        corrected = AuditEvent.objects.filter(action="assembly.question_answered").latest("id")
        published = AuditEvent.objects.get(action="assembly.minutes_published")
        assert corrected.data["corrected"] is True
        assert corrected.id < published.id and corrected.occurred_at <= minutes.published_at
