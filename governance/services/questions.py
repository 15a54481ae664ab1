"""Written questions (RULES 35): a member on the roll sends a question until the deadline, a
number of business days before the meeting (the frozen statutes' parameter, governance.
lifecycle.written_questions_closing); the board answers, at the latest before the minutes are
published, and the questions with their answers are kept in the minutes (RULES 17)."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _

from coop.actors import Actor, actor_person
from coop.audit import AuditAction, audit_record
from coop.errors import DomainError, PermissionRefused
from governance.lifecycle import (
    PARIS,
    Action,
    AssemblyRefused,
    assembly_require,
    written_questions_closing,
)
from governance.models import Assembly, Minutes, RollEntry, WrittenQuestion

MAX_QUESTION_CHARS = 4000
MAX_ANSWER_CHARS = 10000


class QuestionRefused(DomainError):
    """A written question or its answer cannot be recorded."""


def _text(value: str, *, limit: int, empty: str, too_long: str) -> str:
    value = value.strip()
    if not value:
        raise QuestionRefused(empty, code="empty")
    if len(value) > limit:
        raise QuestionRefused(too_long % {"limit": limit}, code="too_long")
    return value


@transaction.atomic
def written_question_ask(
    *, roll_entry: RollEntry, text: str, actor: Actor, now: dt.datetime | None = None
) -> WrittenQuestion:
    """Record a member's written question, before the deadline."""
    now = now or timezone.now()
    text = _text(
        text,
        limit=MAX_QUESTION_CHARS,
        empty=_("Write your question."),
        too_long=_("A question is at most %(limit)s characters long."),
    )
    assembly = Assembly.objects.select_for_update().get(pk=roll_entry.assembly_id)
    entry = RollEntry.objects.filter(pk=roll_entry.pk, assembly=assembly).first()
    if entry is None:
        raise PermissionRefused(
            _("Only the members on the roll of this assembly can send it questions."),
            code="not_on_roll",
        )
    assembly_require(assembly, Action.ASK_QUESTION, now=now)
    question = WrittenQuestion.objects.create(
        assembly=assembly, roll_entry=entry, text=text, asked_at=now
    )
    audit_record(
        actor=actor,
        action=AuditAction.QUESTION_ASKED,
        target=assembly,
        data={"question": question.pk, "member_number": entry.member_number},
    )
    return question


@transaction.atomic
def written_question_record_postal(
    *,
    assembly: Assembly,
    member_number: int,
    text: str,
    received_on: dt.date,
    actor: Actor,
    now: dt.datetime | None = None,
) -> WrittenQuestion:
    """Record a question a member on the roll sent by post (RULES 35: members without e-mail
    take part as fully as the others). The deadline is judged on the day the letter was
    received, not on the day it is recorded; it is recorded while the assembly is convened."""
    now = now or timezone.now()
    text = _text(
        text,
        limit=MAX_QUESTION_CHARS,
        empty=_("Write the member's question as the letter puts it."),
        too_long=_("A question is at most %(limit)s characters long."),
    )
    if received_on > timezone.localdate(now):
        raise QuestionRefused(
            _("The letter cannot have been received after today."), code="received_in_future"
        )
    assembly = Assembly.objects.select_for_update().get(pk=assembly.pk)
    entry = RollEntry.objects.filter(assembly=assembly, member_number=member_number).first()
    if entry is None:
        raise QuestionRefused(
            _("No member no. %(number)s is on the roll of this assembly.")
            % {"number": member_number},
            code="not_on_roll",
        )
    received = dt.datetime.combine(received_on, dt.time(0), tzinfo=PARIS)
    try:
        assembly_require(assembly, Action.ASK_QUESTION, now=received)
    except AssemblyRefused as refused:
        if refused.code != "questions_closed":
            raise
        last = written_questions_closing(assembly) - dt.timedelta(minutes=1)
        raise QuestionRefused(
            _(
                "The letter was received on %(received)s, after the deadline for written "
                "questions (%(date)s at %(time)s): it cannot be recorded as a written question."
            )
            % {
                "received": date_format(received_on, "DATE_FORMAT"),
                "date": date_format(last.astimezone(PARIS).date(), "DATE_FORMAT"),
                "time": time_format(last.astimezone(PARIS).time(), "TIME_FORMAT"),
            },
            code="questions_closed",
        ) from refused
    if assembly.convened_at is not None and received_on < timezone.localdate(assembly.convened_at):
        raise QuestionRefused(
            _("The letter cannot have been received before the assembly was convened."),
            code="received_before_convocation",
        )
    question = WrittenQuestion.objects.create(
        assembly=assembly,
        roll_entry=entry,
        text=text,
        asked_at=now,
        channel=WrittenQuestion.Channel.POST,
        received_on=received_on,
        recorded_by=actor_person(actor),
    )
    audit_record(
        actor=actor,
        action=AuditAction.QUESTION_RECORDED,
        target=assembly,
        data={
            "question": question.pk,
            "member_number": entry.member_number,
            "received_on": received_on.isoformat(),
        },
    )
    return question


@transaction.atomic
def written_question_answer(
    *, question: WrittenQuestion, answer: str, actor: Actor, now: dt.datetime | None = None
) -> WrittenQuestion:
    """Write (or correct) the board's answer to a written question, until the minutes of the
    assembly are published."""
    now = now or timezone.now()
    answer = _text(
        answer,
        limit=MAX_ANSWER_CHARS,
        empty=_("Write the board's answer."),
        too_long=_("An answer is at most %(limit)s characters long."),
    )
    assembly = Assembly.objects.select_for_update().get(pk=question.assembly_id)
    assembly_require(assembly, Action.ANSWER_QUESTION, now=now)
    if Minutes.objects.filter(assembly=assembly, published_at__isnull=False).exists():
        raise QuestionRefused(
            _(
                "The minutes of this assembly are published: the answers they hold can no "
                "longer change."
            ),
            code="minutes_published",
        )
    question = WrittenQuestion.objects.select_for_update().get(pk=question.pk)
    before = question.answer
    question.answer = answer
    question.answered_at = now
    question.answered_by = actor_person(actor)
    question.save(update_fields=["answer", "answered_at", "answered_by"])
    audit_record(
        actor=actor,
        action=AuditAction.QUESTION_ANSWERED,
        target=assembly,
        data={"question": question.pk, "corrected": bool(before), "before": before},
    )
    return question
