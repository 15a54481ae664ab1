"""Written questions (RULES 35, 17): a member on the roll asks until the statutes' number of
business days before the meeting; the board answers until the minutes are published; the
minutes hold the questions and the answers; publishing waits for every answer."""

import datetime as dt

import pytest
from django.utils import timezone

from coop.errors import DomainError
from coop.models import AuditEvent
from governance.lifecycle import AssemblyRefused
from governance.models import Assembly, Minutes, RollEntry, WrittenQuestion
from governance.pdfs.minutes import minutes_context, minutes_pdf
from governance.services.minutes import minutes_publish, minutes_save
from governance.services.questions import (
    QuestionRefused,
    written_question_answer,
    written_question_ask,
    written_question_record_postal,
)
from members.gdpr import personal_data_export
from tests.governance.factories import (
    PARIS,
    convened_assembly,
    members_admitted,
    statutes_and_register,
)
from tests.governance.test_minutes import pdf_text

pytestmark = pytest.mark.django_db

# A meeting on Friday 11 June 2027 at 18:00: questions until Monday 7 June at 23:59 (4 business
# days: Thursday 10, Wednesday 9, Tuesday 8, Monday 7).
MEETING = dt.datetime(2027, 6, 11, 18, 0, tzinfo=PARIS)
LAST_MINUTE = dt.datetime(2027, 6, 7, 23, 59, 59, tzinfo=PARIS)
CLOSED = dt.datetime(2027, 6, 8, 0, 0, tzinfo=PARIS)


@pytest.fixture
def assembly():
    register = statutes_and_register()
    return convened_assembly(
        members=members_admitted(register, 3), title="AGO 2027", starts_at=MEETING
    )


@pytest.fixture
def entries(assembly) -> list[RollEntry]:
    return list(assembly.roll.order_by("member_number"))


def ask(entry, text="Pourquoi le résultat baisse-t-il ?", *, now=LAST_MINUTE, actor=None):
    return written_question_ask(roll_entry=entry, text=text, actor=actor, now=now)


def test_a_member_asks_until_the_last_minute_of_the_deadline(assembly, entries, member_user):
    question = ask(entries[0], "  Pourquoi le résultat baisse-t-il ?  ", actor=member_user)
    assert question.text == "Pourquoi le résultat baisse-t-il ?"
    assert (question.assembly, question.roll_entry, question.asked_at) == (
        assembly,
        entries[0],
        LAST_MINUTE,
    )
    assert question.answer == "" and question.answered_at is None
    event = AuditEvent.objects.get(action="assembly.question_asked")
    assert event.actor == member_user
    assert event.data == {"question": question.pk, "member_number": entries[0].member_number}


def test_after_the_deadline_the_question_is_refused_with_the_deadline(assembly, entries):
    with pytest.raises(AssemblyRefused) as refused:
        ask(entries[0], now=CLOSED)
    message = str(refused.value)
    assert "June 7, 2027" in message and "23:59" in message
    assert refused.value.code == "questions_closed"
    assert not WrittenQuestion.objects.exists()


def test_the_deadline_follows_the_frozen_statutes():
    register = statutes_and_register(written_questions_business_days=1)  # until Thursday 10
    assembly = convened_assembly(members=members_admitted(register, 1), starts_at=MEETING)
    entry = assembly.roll.get()
    assert ask(entry, now=dt.datetime(2027, 6, 10, 22, 0, tzinfo=PARIS)).pk
    with pytest.raises(AssemblyRefused, match="June 10, 2027"):
        ask(entry, now=dt.datetime(2027, 6, 11, 0, 0, tzinfo=PARIS))


def test_an_empty_or_overlong_question_is_refused(entries):
    with pytest.raises(QuestionRefused, match="Write your question"):
        ask(entries[0], " \n ")
    with pytest.raises(QuestionRefused, match="at most 4000 characters"):
        ask(entries[0], "x" * 4001)
    assert not WrittenQuestion.objects.exists()


@pytest.mark.parametrize(
    "status",
    [Assembly.Status.VOTING_OPEN, Assembly.Status.CANCELLED, Assembly.Status.QUORUM_NOT_REACHED],
)
def test_only_a_convened_assembly_takes_questions(assembly, entries, status):
    Assembly.objects.filter(pk=assembly.pk).update(status=status, cancelled_at=timezone.now())
    with pytest.raises(AssemblyRefused):
        ask(entries[0], now=dt.datetime(2027, 6, 1, 10, 0, tzinfo=PARIS))


def test_the_board_answers_and_may_correct_its_answer(assembly, entries, admin_user):
    question = ask(entries[1])
    answered = written_question_answer(
        question=question, answer=" La baisse vient des travaux. ", actor=admin_user, now=MEETING
    )
    assert answered.answer == "La baisse vient des travaux."
    assert (answered.answered_at, answered.answered_by) == (MEETING, admin_user)
    later = MEETING + dt.timedelta(minutes=30)
    written_question_answer(
        question=question,
        answer="La baisse vient des travaux du toit.",
        actor=admin_user,
        now=later,
    )
    question.refresh_from_db()
    assert question.answer == "La baisse vient des travaux du toit."
    events = AuditEvent.objects.filter(action="assembly.question_answered").order_by("id")
    assert [e.data["corrected"] for e in events] == [False, True]
    assert events[1].data["before"] == "La baisse vient des travaux."


def test_an_empty_answer_is_refused(entries, admin_user):
    question = ask(entries[0])
    with pytest.raises(QuestionRefused, match="Write the board's answer"):
        written_question_answer(question=question, answer="  ", actor=admin_user)
    question.refresh_from_db()
    assert question.answered_at is None


def test_no_answer_in_a_cancelled_assembly(assembly, entries, admin_user):
    question = ask(entries[0])
    Assembly.objects.filter(pk=assembly.pk).update(
        status=Assembly.Status.CANCELLED, cancelled_at=timezone.now()
    )
    with pytest.raises(AssemblyRefused, match="cancelled"):
        written_question_answer(question=question, answer="Réponse", actor=admin_user)


def test_the_database_refuses_an_answer_without_its_date(entries):
    from django.db import IntegrityError, transaction

    question = ask(entries[0])
    with pytest.raises(IntegrityError), transaction.atomic():
        WrittenQuestion.objects.filter(pk=question.pk).update(answer="Réponse sans date")


# --- The minutes --------------------------------------------------------------------------


@pytest.fixture
def published(assembly, entries):
    """The assembly held, its results published, with one question asked before."""
    ask(entries[0])
    Assembly.objects.filter(pk=assembly.pk).update(
        status=Assembly.Status.PUBLISHED, voting_closed_at=MEETING + dt.timedelta(hours=2)
    )
    return Assembly.objects.get(pk=assembly.pk)


def test_the_minutes_hold_the_questions_and_the_answers(assembly, entries, admin_user):
    first = ask(entries[0], "Pourquoi le résultat baisse-t-il ?")
    ask(entries[2], "Quand la toiture sera-t-elle refaite ?")
    written_question_answer(question=first, answer="Les travaux du toit.", actor=admin_user)
    context = minutes_context(assembly=assembly)
    assert [q.text for q in context["questions"]] == [
        "Pourquoi le résultat baisse-t-il ?",
        "Quand la toiture sera-t-elle refaite ?",
    ]
    text = pdf_text(minutes_pdf(assembly=assembly))
    assert "Written questions and the board's answers" in text
    assert "Pourquoi le résultat baisse-t-il ?" in text
    assert "Les travaux du toit." in text
    assert f"Question of {entries[0].name} (member no. {entries[0].member_number})" in text
    assert "Quand la toiture sera-t-elle refaite ?" in text
    assert "(not answered yet)" in text


def test_minutes_are_published_only_once_every_question_is_answered(published, entries, admin_user):
    question = WrittenQuestion.objects.get(assembly=published)
    minutes_save(
        assembly=published, debate_summary="Débats.", documents_presented="", actor=admin_user
    )
    with pytest.raises(DomainError, match="no answer yet"):
        minutes_publish(assembly=published, actor=admin_user)
    written_question_answer(question=question, answer="Réponse du conseil.", actor=admin_user)
    minutes_publish(assembly=published, actor=admin_user)
    assert Minutes.objects.get(assembly=published).published_at is not None

    with pytest.raises(QuestionRefused, match="minutes of this assembly are published"):
        written_question_answer(question=question, answer="Autre réponse.", actor=admin_user)
    question.refresh_from_db()
    assert question.answer == "Réponse du conseil."


def test_the_members_data_export_holds_their_questions_and_answers(assembly, entries, admin_user):
    question = ask(entries[0], "Pourquoi le résultat baisse-t-il ?")
    ask(entries[1], "La question d'un autre membre")
    written_question_answer(
        question=question, answer="Les travaux du toit.", actor=admin_user, now=MEETING
    )
    data = personal_data_export(member=entries[0].member)
    (section,) = data["general_assemblies"]
    assert section["written_questions"] == [
        {
            "question": "Pourquoi le résultat baisse-t-il ?",
            "asked_at": "2027-06-07T23:59:59+02:00",
            "answer": "Les travaux du toit.",
            "answered_at": "2027-06-11T18:00:00+02:00",
        }
    ]


# --- Questions received by post --------------------------------------------------------------


def record(assembly, number, *, received_on, now, text="Question reçue par courrier", actor=None):
    return written_question_record_postal(
        assembly=assembly,
        member_number=number,
        text=text,
        received_on=received_on,
        actor=actor,
        now=now,
    )


def test_a_question_received_by_post_before_the_deadline_is_recorded_later(
    assembly, entries, admin_user
):
    # Received on the last day, recorded the next morning: the day of receipt counts.
    question = record(
        assembly,
        entries[2].member_number,
        received_on=dt.date(2027, 6, 7),
        now=dt.datetime(2027, 6, 8, 9, 0, tzinfo=PARIS),
        actor=admin_user,
    )
    assert (question.roll_entry, question.channel, question.received_on) == (
        entries[2],
        WrittenQuestion.Channel.POST,
        dt.date(2027, 6, 7),
    )
    assert question.recorded_by == admin_user
    event = AuditEvent.objects.get(action="assembly.question_recorded")
    assert event.data["received_on"] == "2027-06-07"


def test_a_letter_received_after_the_deadline_is_refused_with_it(assembly, entries):
    with pytest.raises(QuestionRefused) as refused:
        record(
            assembly,
            entries[0].member_number,
            received_on=dt.date(2027, 6, 8),
            now=dt.datetime(2027, 6, 8, 9, 0, tzinfo=PARIS),
        )
    assert "June 8, 2027" in str(refused.value) and "June 7, 2027" in str(refused.value)
    assert not WrittenQuestion.objects.exists()


def test_a_postal_question_needs_a_member_of_the_roll_and_a_plausible_date(assembly, entries):
    now = dt.datetime(2027, 6, 1, 9, 0, tzinfo=PARIS)
    with pytest.raises(QuestionRefused, match=r"No member no\. 9999 is on the roll"):
        record(assembly, 9999, received_on=dt.date(2027, 6, 1), now=now)
    with pytest.raises(QuestionRefused, match="after today"):
        record(assembly, entries[0].member_number, received_on=dt.date(2027, 6, 2), now=now)
    with pytest.raises(QuestionRefused, match="before the assembly was convened"):
        record(
            assembly,
            entries[0].member_number,
            received_on=timezone.localdate(assembly.convened_at) - dt.timedelta(days=1),
            now=now,
        )
    with pytest.raises(QuestionRefused, match="Write the member's question"):
        record(
            assembly, entries[0].member_number, received_on=dt.date(2027, 6, 1), now=now, text=""
        )
    assert not WrittenQuestion.objects.exists()


def test_the_database_refuses_a_postal_question_without_its_date(entries):
    from django.db import IntegrityError, transaction

    question = ask(entries[0])
    with pytest.raises(IntegrityError), transaction.atomic():
        WrittenQuestion.objects.filter(pk=question.pk).update(channel="post")
