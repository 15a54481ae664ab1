"""Letters: the outbox cannot post them. An administrator prints them (each app offers its
PDFs), posts them, then records here the day they were posted: that row, with its date, is the
proof of sending by post, as the sending time is for an e-mail."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coop.actors import Actor
from coop.audit import AuditAction, audit_record
from coop.errors import DomainError, PermissionRefused
from coop.models import Notice, NoticeDelivery
from coop.roles import is_administrator

Status = NoticeDelivery.Status

POSTED = "posted"  # the message id of a letter: there is no SMTP id


@transaction.atomic
def letters_mark_posted(*, notice: Notice, posted_on: dt.date, actor: Actor) -> int:
    """Record that every letter of `notice` still waiting was posted on `posted_on`."""
    if not is_administrator(actor):
        raise PermissionRefused(_("Only an administrator can record that letters were posted."))
    if posted_on > timezone.localdate():
        raise DomainError(
            _("Letters cannot be recorded as posted on a day still to come."), code="future"
        )
    if posted_on < timezone.localdate(notice.created_at):
        raise DomainError(
            _("These letters were written on %(day)s: they cannot have been posted before.")
            % {"day": timezone.localdate(notice.created_at).strftime("%d/%m/%Y")},
            code="before_notice",
        )
    noon = dt.datetime.combine(posted_on, dt.time(12, 0), tzinfo=timezone.get_current_timezone())
    posted = NoticeDelivery.objects.filter(
        notice=notice, channel=NoticeDelivery.Channel.LETTER, status=Status.PENDING
    ).update(status=Status.SENT, sent_at=noon, message_id=POSTED)
    if not posted:
        raise DomainError(_("No letter of this notice is waiting to be posted."), code="none")
    audit_record(
        actor=actor,
        action=AuditAction.NOTICE_LETTERS_POSTED,
        target=notice,
        data={"posted_on": posted_on.isoformat(), "letters": posted},
    )
    return posted
