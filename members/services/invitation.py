"""The admission journey and its notices: the acknowledgement of an application, the
invitation of an admitted member to sign in, and the notice of a rejection.

Each service wraps one lifecycle step (members.services.lifecycle) and its notice in one
transaction: the notice row is queued with the decision, and the outbox sends it only after
commit. Every notice is rendered in the member's language and goes through the outbox
(coop.outbox), one row per member: `member:<pk>` is the recipient, so queuing again never
sends twice.
"""

import datetime as dt
import enum
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from coop.actors import Actor
from coop.audit import AuditAction, audit_record
from coop.errors import DomainError
from coop.models import NoticeDelivery
from coop.outbox import notice_enqueue, notice_render_delivery
from coop.roles import Role
from coop.statutes import StatutesNotInForce, statutes_in_force
from members.models import College, Member
from members.services.events import member_locked
from members.services.lifecycle import ApplicationData, member_admit, member_apply, member_reject
from members.services.notices import admission_letter_queue

# Notice kinds; the reference of each is "member:<pk>".
APPLICATION_NOTICE = "membership.application"
INVITATION_NOTICE = "membership.invitation"
REJECTION_NOTICE = "membership.rejection"

# User names are at most this long (django.contrib.auth.models.AbstractUser).
_USER_NAME_MAX = 150


def member_reference(member: Member) -> str:
    """The notice reference and recipient key of a member's admission notices."""
    return f"member:{member.pk}"


class InvitationOutcome(enum.StrEnum):
    INVITED = "invited"  # an account is linked and the invitation was queued now
    ALREADY_INVITED = "already_invited"  # an earlier call did it: nothing new
    NO_EMAIL = "no_email"  # no address: no login account (letters instead)
    EMAIL_IN_USE = "email_in_use"  # the address is the login of another member


@dataclass(frozen=True)
class Invitation:
    """What `member_invite` did."""

    member: Member
    outcome: InvitationOutcome
    user: Any | None = None
    account_created: bool = False

    @property
    def has_account(self) -> bool:
        return self.user is not None


@dataclass(frozen=True)
class Admission:
    member: Member
    invitation: Invitation


def _cooperative() -> tuple[str, Decimal | None]:
    """The cooperative's name and the nominal value of a share, from the statutes in force."""
    try:
        statutes = statutes_in_force()
    except StatutesNotInForce:
        return settings.COOP_SITE_NAME, None
    return statutes.name, statutes.nominal_share_value


def _notice_context(member: Member, **extra: Any) -> dict[str, Any]:
    name, nominal = _cooperative()
    greeting = (
        member.representative_name
        if member.person_kind == Member.PersonKind.LEGAL
        else member.display_name
    )
    return {
        "member": member,
        "greeting_name": greeting or member.display_name,
        "cooperative": name,
        "nominal": nominal,
        "total": nominal * member.requested_shares if nominal is not None else None,
        **extra,
    }


def _notify(
    *, kind: str, template: str, member: Member, to_email: str, actor: Actor, **extra: Any
) -> None:
    """Queue one notice to the member, in their language."""
    draft = notice_render_delivery(
        recipient_key=member_reference(member),
        to_email=to_email,
        language=member.language,
        template_prefix=template,
        context=_notice_context(member, **extra),
    )
    notice_enqueue(kind=kind, reference=member_reference(member), deliveries=[draft], actor=actor)


@transaction.atomic
def application_submit(
    *, data: ApplicationData, actor: Actor = None, applied_on: dt.date | None = None
) -> Member:
    """Record an application and, when the applicant gave an address, acknowledge it."""
    member = member_apply(data=data, actor=actor, applied_on=applied_on)
    if member.email:
        _notify(
            kind=APPLICATION_NOTICE,
            template="members/email/application",
            member=member,
            to_email=member.email,
            actor=actor,
        )
    return member


@transaction.atomic
def application_admit(
    *, member: Member, decided_on: dt.date, decision_ref: str, college: College, actor: Actor
) -> Admission:
    """Admit an applicant (the next member number) and invite them to sign in; a member
    reached by post (no address, or no consent to e-mail notices) gets the letter of
    admission as well."""
    member = member_admit(
        member=member,
        decided_on=decided_on,
        decision_ref=decision_ref,
        college=college,
        actor=actor,
    )
    invitation = member_invite(member=member, actor=actor)
    admission_letter_queue(member=member, actor=actor)
    return Admission(member=member, invitation=invitation)


@transaction.atomic
def application_reject(*, member: Member, decided_on: dt.date, reason: str, actor: Actor) -> Member:
    """Reject an application and tell the applicant by e-mail when they have an address."""
    member = member_reject(member=member, decided_on=decided_on, reason=reason, actor=actor)
    if member.email:
        _notify(
            kind=REJECTION_NOTICE,
            template="members/email/rejection",
            member=member,
            to_email=member.email,
            actor=actor,
        )
    return member


def _user_with_email(email: str) -> Any | None:
    """The account whose login is `email`, or that verified it as another address."""
    User = get_user_model()
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        return user
    # An unverified address proves nothing: someone could add another person's address to
    # their account. Only a verified one links the member to that account.
    address = (
        EmailAddress.objects.filter(email__iexact=email, verified=True)
        .select_related("user")
        .first()
    )
    return address.user if address is not None else None


def _user_names(member: Member) -> dict[str, str]:
    if member.person_kind == Member.PersonKind.LEGAL:
        return {"first_name": "", "last_name": member.representative_name[:_USER_NAME_MAX]}
    return {
        "first_name": member.first_name[:_USER_NAME_MAX],
        "last_name": member.last_name[:_USER_NAME_MAX],
    }


def _user_create(member: Member, email: str) -> tuple[Any, bool]:
    """A new account without a password: the member signs in with a code sent by e-mail.

    Its address is not verified yet; allauth verifies it when they first sign in by code.
    """
    User = get_user_model()
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=email,
                password=None,
                preferred_language=member.language,
                **_user_names(member),
            )
            EmailAddress.objects.create(user=user, email=email, verified=False, primary=True)
    except IntegrityError:
        # Someone opened an account with this address at the same moment: use it.
        existing = _user_with_email(email)
        if existing is None:
            raise
        return existing, False
    return user, True


def _email_address_ensure(user: Any, email: str) -> None:
    """An existing account gets the member's address as an (unverified) allauth address."""
    if EmailAddress.objects.filter(user=user, email__iexact=email).exists():
        return
    has_primary = EmailAddress.objects.filter(user=user, primary=True).exists()
    EmailAddress.objects.create(user=user, email=email, verified=False, primary=not has_primary)


def _invitation_queued(member: Member) -> bool:
    return NoticeDelivery.objects.filter(
        notice__kind=INVITATION_NOTICE,
        notice__reference=member_reference(member),
        recipient_key=member_reference(member),
    ).exists()


@transaction.atomic
def member_invite(*, member: Member, actor: Actor) -> Invitation:
    """Give an admitted member a login account and invite them to sign in.

    Links the account that already has the member's address, or opens one (no password, the
    address to be verified at the first sign-in by code); puts it in the "member" group; queues
    the invitation. A member without an address gets no account: they keep their number and
    receive letters. Idempotent: a second call opens no second account and queues nothing.
    """
    member = member_locked(member)
    if member.status not in Member.ADMITTED_STATUSES:
        raise DomainError(
            _("%(member)s cannot be invited to sign in: their status is “%(status)s”.")
            % {"member": member.display_name, "status": member.get_status_display()},
            code="bad_transition",
        )
    email = member.email.strip().lower()
    if member.user_id is None and not email:
        return Invitation(member=member, outcome=InvitationOutcome.NO_EMAIL)

    created = False
    user = member.user
    if user is None:
        user = _user_with_email(email)
        if user is None:
            user, created = _user_create(member, email)
        if not created:
            if Member.objects.filter(user=user).exclude(pk=member.pk).exists():
                audit_record(
                    actor=actor,
                    action=AuditAction.MEMBER_INVITATION_REFUSED,
                    target=member,
                    data={"reason": InvitationOutcome.EMAIL_IN_USE.value, "user": user.pk},
                )
                return Invitation(member=member, outcome=InvitationOutcome.EMAIL_IN_USE)
            _email_address_ensure(user, email)
        member.user = user
        member.save(update_fields=["user", "updated_at"])
    group, _created = Group.objects.get_or_create(name=Role.MEMBER.value)
    user.groups.add(group)

    if _invitation_queued(member):
        return Invitation(member=member, outcome=InvitationOutcome.ALREADY_INVITED, user=user)
    sign_in_url = settings.SITE_URL.rstrip("/") + reverse("account_request_login_code")
    _notify(
        kind=INVITATION_NOTICE,
        template="members/email/invitation",
        member=member,
        to_email=user.email,
        actor=actor,
        login_email=user.email,
        sign_in_url=sign_in_url,
    )
    audit_record(
        actor=actor,
        action=AuditAction.MEMBER_INVITED,
        target=member,
        data={"user": user.pk, "account_created": created, "email": user.email},
    )
    return Invitation(
        member=member, outcome=InvitationOutcome.INVITED, user=user, account_created=created
    )
