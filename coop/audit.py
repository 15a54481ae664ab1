"""The audit log: every write that matters records who, what, when and the data.

What was done is one of `AuditAction`, each with the sentence the audit log pages show
("convened an assembly", "a convoqué une assemblée"): the stored value is a stable code, the
reader never sees it.
"""

from enum import StrEnum
from typing import Any

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from coop.actors import Actor, actor_person
from coop.models import AuditEvent


def audit_fields(*, actor: Actor, target: models.Model | None = None) -> dict[str, Any]:
    """Who and on what, as the audit event's columns record them (`actor_id`, `actor_label`,
    `target_type`, `target_id`): for a service that writes its audit events in its own SQL
    statement, the same values that `audit_record` writes."""
    person = actor_person(actor)
    return {
        "actor_id": person.pk if person is not None else None,
        "actor_label": person.email if person is not None else "system",
        "target_type": target._meta.label_lower if target is not None else "",
        "target_id": str(target.pk) if target is not None else "",
    }


class AuditAction(StrEnum):
    ADMIN_ADD = "admin.add"
    ADMIN_CHANGE = "admin.change"
    ADMIN_DELETE = "admin.delete"
    AGENDA_ITEM_ADDED = "assembly.agenda_item_added"
    AGENDA_ITEM_MOVED = "assembly.agenda_item_moved"
    AGENDA_ITEM_REMOVED = "assembly.agenda_item_removed"
    AGENDA_ITEM_UPDATED = "assembly.agenda_item_updated"
    BUREAU_SEAT_ADDED = "assembly.bureau_seat_added"
    BUREAU_SEAT_REMOVED = "assembly.bureau_seat_removed"
    ASSEMBLY_CANCELLED = "assembly.cancelled"
    CHECK_IN_UNDONE = "assembly.check_in_undone"
    CHECKED_IN = "assembly.checked_in"
    ASSEMBLY_CONVENED = "assembly.convened"
    ASSEMBLY_CREATED = "assembly.created"
    DOCUMENT_ADDED = "assembly.document_added"
    DOCUMENT_REMOVED = "assembly.document_removed"
    MEETING_OPENED = "assembly.meeting_opened"
    MINUTES_PUBLISHED = "assembly.minutes_published"
    MINUTES_SAVED = "assembly.minutes_saved"
    PROXY_GIVEN = "assembly.proxy_given"
    PROXY_REVOKED = "assembly.proxy_revoked"
    QUESTION_ANSWERED = "assembly.question_answered"
    QUESTION_ASKED = "assembly.question_asked"
    QUESTION_RECORDED = "assembly.question_recorded"
    QUORUM_NOT_REACHED = "assembly.quorum_not_reached"
    RESOLUTION_ADDED = "assembly.resolution_added"
    RESOLUTION_MOVED = "assembly.resolution_moved"
    RESOLUTION_REMOVED = "assembly.resolution_removed"
    RESOLUTION_UPDATED = "assembly.resolution_updated"
    RESULTS_PUBLISHED = "assembly.results_published"
    PAPER_FORM_RECORDED = "assembly.paper_form_recorded"
    ROOM_COUNT = "assembly.room_count"
    ROOM_COUNT_CORRECTED = "assembly.room_count_corrected"
    SECOND_CONVOCATION_PREPARED = "assembly.second_convocation_prepared"
    TALLIED = "assembly.tallied"
    ASSEMBLY_UPDATED = "assembly.updated"
    VOTE_CHANGED = "assembly.vote_changed"
    VOTE_PARTICIPATION = "assembly.vote_participation"
    VOTING_CLOSED = "assembly.voting_closed"
    VOTING_OPENED = "assembly.voting_opened"
    CAPITAL_SUBSCRIPTION = "capital.subscription"
    CAPITAL_PAYMENT = "capital.payment"
    CAPITAL_TRANSFER = "capital.transfer"
    CAPITAL_REPAYMENT = "capital.repayment"
    CAPITAL_CORRECTION = "capital.correction"
    ACCOUNTS_APPROVED = "capital.accounts_approved"
    INTEREST_RATE_DECIDED = "capital.interest_rate_decided"
    REPAYMENT_REQUESTED = "capital.repayment_requested"
    CATEGORY_CHANGED = "category.changed"
    CATEGORY_CREATED = "category.created"
    COLLEGES_CONFIGURED = "colleges.configured"
    ATTENDANCE_RECORDED = "heritage.attendance_recorded"
    COMMUNITY_CHANGED = "heritage.community_changed"
    COMMUNITY_CREATED = "heritage.community_created"
    COMMUNITY_JOINED = "heritage.community_joined"
    COMMUNITY_LEFT = "heritage.community_left"
    COMMUNITY_NOTIFY_CHANGED = "heritage.community_notify_changed"
    GATHERING_CANCELLED = "heritage.gathering_cancelled"
    GATHERING_CHANGED = "heritage.gathering_changed"
    GATHERING_CREATED = "heritage.gathering_created"
    GATHERING_PUBLISHED = "heritage.gathering_published"
    GUEST_REQUESTED = "heritage.guest_requested"
    GUEST_VERIFIED = "heritage.guest_verified"
    IMAGE_ADDED = "heritage.image_added"
    IMAGE_REMOVED = "heritage.image_removed"
    ITEM_CHANGED = "heritage.item_changed"
    ITEM_CREATED = "heritage.item_created"
    ITEM_REMOVED = "heritage.item_removed"
    OFFER_EXPIRED = "heritage.offer_expired"
    OFFER_TAKEN = "heritage.offer_taken"
    PARTICIPANT_ACCOUNT = "heritage.participant_account"
    REGISTERED = "heritage.registered"
    REGISTRATION_CANCELLED = "heritage.registration_cancelled"
    SEAT_OFFERED = "heritage.seat_offered"
    WALK_CHANGED = "heritage.walk_changed"
    WALK_CREATED = "heritage.walk_created"
    JOB_FAILED = "job.failed"
    JOB_RETRIED = "job.retried"
    JOB_STARTED = "job.started"
    MEMBER_APPLIED = "member.applied"
    MEMBER_IMPORTED = "member.imported"
    MEMBER_ADMITTED = "member.admitted"
    MEMBER_REJECTED = "member.rejected"
    MEMBER_RATIFIED = "member.ratified"
    MEMBER_CONTACT_CHANGED = "member.contact_changed"
    MEMBER_CONSENT_CHANGED = "member.consent_changed"
    MEMBER_COLLEGE_CHANGED = "member.college_changed"
    MEMBER_EXITED = "member.exited"
    MEMBER_INVITATION_REFUSED = "member.invitation_refused"
    MEMBER_INVITED = "member.invited"
    MEMBER_PREFERENCES_CHANGED = "member.preferences_changed"
    MEMBERS_IMPORTED = "members.imported"
    PERSONAL_DATA_ERASED = "members.personal_data_erased"
    NOTICE_DELIVERY_INTERRUPTED = "notice.delivery_interrupted"
    NOTICE_DELIVERY_REQUEUED = "notice.delivery_requeued"
    NOTICE_ENQUEUED = "notice.enqueued"
    NOTICE_LETTERS_POSTED = "notice.letters_posted"
    STATUTES_VERSION_CREATED = "statutes.version_created"

    @property
    def sentence(self) -> Promise:
        """What the actor did, as the end of a sentence whose subject is the actor."""
        return _SENTENCES[self]


A = AuditAction
_SENTENCES: dict[AuditAction, Promise] = {
    A.ADMIN_ADD: _("added a record in the technical administration"),
    A.ADMIN_CHANGE: _("changed a record in the technical administration"),
    A.ADMIN_DELETE: _("deleted a record in the technical administration"),
    A.AGENDA_ITEM_ADDED: _("added an item to an assembly's agenda"),
    A.AGENDA_ITEM_MOVED: _("moved an item of an assembly's agenda"),
    A.AGENDA_ITEM_REMOVED: _("removed an item from an assembly's agenda"),
    A.AGENDA_ITEM_UPDATED: _("changed an item of an assembly's agenda"),
    A.BUREAU_SEAT_ADDED: _("named a member of an assembly's bureau"),
    A.BUREAU_SEAT_REMOVED: _("removed a member of an assembly's bureau"),
    A.ASSEMBLY_CANCELLED: _("cancelled an assembly"),
    A.CHECK_IN_UNDONE: _("undid a check-in at an assembly"),
    A.CHECKED_IN: _("checked a member in at an assembly"),
    A.ASSEMBLY_CONVENED: _("convened an assembly"),
    A.ASSEMBLY_CREATED: _("created an assembly"),
    A.DOCUMENT_ADDED: _("added a document to an assembly"),
    A.DOCUMENT_REMOVED: _("removed a document from an assembly"),
    A.MEETING_OPENED: _("opened an assembly's meeting"),
    A.MINUTES_PUBLISHED: _("published an assembly's minutes"),
    A.MINUTES_SAVED: _("saved an assembly's minutes"),
    A.PROXY_GIVEN: _("recorded a proxy"),
    A.PROXY_REVOKED: _("revoked a proxy"),
    A.QUESTION_ANSWERED: _("answered a written question"),
    A.QUESTION_ASKED: _("asked a written question"),
    A.QUESTION_RECORDED: _("recorded a written question"),
    A.QUORUM_NOT_REACHED: _("recorded that an assembly did not reach its quorum"),
    A.RESOLUTION_ADDED: _("added a resolution"),
    A.RESOLUTION_MOVED: _("moved a resolution"),
    A.RESOLUTION_REMOVED: _("removed a resolution"),
    A.RESOLUTION_UPDATED: _("changed a resolution"),
    A.RESULTS_PUBLISHED: _("published an assembly's results"),
    A.PAPER_FORM_RECORDED: _("recorded a postal-vote form or a paper proxy"),
    A.ROOM_COUNT: _("entered the room's count of a resolution"),
    A.ROOM_COUNT_CORRECTED: _("corrected the room's count of a resolution"),
    A.SECOND_CONVOCATION_PREPARED: _("prepared a second convocation"),
    A.TALLIED: _("counted the votes of an assembly"),
    A.ASSEMBLY_UPDATED: _("changed an assembly"),
    A.VOTE_CHANGED: _("changed a vote before the vote closed"),
    A.VOTE_PARTICIPATION: _("took part in a vote"),
    A.VOTING_CLOSED: _("closed an assembly's vote"),
    A.VOTING_OPENED: _("opened an assembly's vote"),
    A.CAPITAL_SUBSCRIPTION: _("recorded a subscription of shares"),
    A.CAPITAL_PAYMENT: _("recorded a payment on shares"),
    A.CAPITAL_TRANSFER: _("recorded a transfer of shares"),
    A.CAPITAL_REPAYMENT: _("recorded a repayment of shares"),
    A.CAPITAL_CORRECTION: _("recorded a correction of the register of shares"),
    A.ACCOUNTS_APPROVED: _("recorded the approval of a year's accounts"),
    A.INTEREST_RATE_DECIDED: _("recorded an interest rate on shares"),
    A.REPAYMENT_REQUESTED: _("recorded a request for repayment of shares"),
    A.CATEGORY_CHANGED: _("changed a category of members"),
    A.CATEGORY_CREATED: _("created a category of members"),
    A.COLLEGES_CONFIGURED: _("set the colleges of vote"),
    A.ATTENDANCE_RECORDED: _("recorded who came to a gathering"),
    A.COMMUNITY_CHANGED: _("changed a heritage community"),
    A.COMMUNITY_CREATED: _("created a heritage community"),
    A.COMMUNITY_JOINED: _("joined a heritage community"),
    A.COMMUNITY_LEFT: _("left a heritage community"),
    A.COMMUNITY_NOTIFY_CHANGED: _("changed the news they receive from a heritage community"),
    A.GATHERING_CANCELLED: _("cancelled a gathering"),
    A.GATHERING_CHANGED: _("changed a gathering"),
    A.GATHERING_CREATED: _("created a gathering"),
    A.GATHERING_PUBLISHED: _("published a gathering"),
    A.GUEST_REQUESTED: _("asked to register for a gathering as a guest"),
    A.GUEST_VERIFIED: _("confirmed a guest's e-mail address"),
    A.IMAGE_ADDED: _("added an image to a heritage item"),
    A.IMAGE_REMOVED: _("removed an image from a heritage item"),
    A.ITEM_CHANGED: _("changed a heritage item"),
    A.ITEM_CREATED: _("added a heritage item"),
    A.ITEM_REMOVED: _("removed a heritage item"),
    A.OFFER_EXPIRED: _("let a seat offered at a gathering expire"),
    A.OFFER_TAKEN: _("took a seat offered at a gathering"),
    A.PARTICIPANT_ACCOUNT: _("opened a participant's account"),
    A.REGISTERED: _("registered for a gathering"),
    A.REGISTRATION_CANCELLED: _("cancelled a registration for a gathering"),
    A.SEAT_OFFERED: _("offered a seat at a gathering to the waiting list"),
    A.WALK_CHANGED: _("changed a heritage walk"),
    A.WALK_CREATED: _("created a heritage walk"),
    A.JOB_FAILED: _("saw a long task fail"),
    A.JOB_RETRIED: _("started a long task again"),
    A.JOB_STARTED: _("started a long task"),
    A.MEMBER_APPLIED: _("recorded an application for membership"),
    A.MEMBER_IMPORTED: _("imported an entry of the previous register"),
    A.MEMBER_ADMITTED: _("admitted a member"),
    A.MEMBER_REJECTED: _("rejected an application for membership"),
    A.MEMBER_RATIFIED: _("recorded a member's ratification by the general assembly"),
    A.MEMBER_CONTACT_CHANGED: _("changed a member's contact details"),
    A.MEMBER_CONSENT_CHANGED: _("changed a member's consent to e-mail notices"),
    A.MEMBER_COLLEGE_CHANGED: _("moved a member to another college"),
    A.MEMBER_EXITED: _("recorded a member's exit"),
    A.MEMBER_INVITATION_REFUSED: _("refused an invitation to an account"),
    A.MEMBER_INVITED: _("invited a member to open an account"),
    A.MEMBER_PREFERENCES_CHANGED: _("changed a member's preferences"),
    A.MEMBERS_IMPORTED: _("imported the register of members"),
    A.PERSONAL_DATA_ERASED: _("erased a person's personal data"),
    A.NOTICE_DELIVERY_INTERRUPTED: _("interrupted the sending of a notice"),
    A.NOTICE_DELIVERY_REQUEUED: _("put a notice back in the queue of sending"),
    A.NOTICE_ENQUEUED: _("queued a notice for sending"),
    A.NOTICE_LETTERS_POSTED: _("recorded that notice letters were posted"),
    A.STATUTES_VERSION_CREATED: _("recorded a new version of the statutes"),
}
del A


def audit_record(
    *,
    actor: Actor,
    action: AuditAction | str,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event. Call it inside the service's transaction.

    `action` is an AuditAction (or its value: an unknown one is refused, so that every
    event of the log has its sentence).
    """
    action = AuditAction(action)
    return AuditEvent.objects.create(
        **audit_fields(actor=actor, target=target), action=action.value, data=data or {}
    )


def audit_sentence(action: str) -> str:
    """The sentence of a stored action; an action unknown to this version reads as itself."""
    try:
        return str(AuditAction(action).sentence)
    except ValueError:
        return action
