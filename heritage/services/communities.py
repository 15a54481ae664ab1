"""Heritage communities: created by administrators, who name their organisers; joined by
members of the cooperative and by participants whose e-mail address was checked (RULES 28)."""

from collections.abc import Sequence
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from coop.actors import Actor
from coop.audit import AuditAction, audit_record
from coop.errors import DomainError
from coop.roles import Role
from heritage.models import CommunityMembership, HeritageCommunity
from heritage.services import notices
from heritage.services.gatherings import gatherings_list_changed
from heritage.tokens import BadToken, participate_token_read
from members.selectors import member_for_user

Kind = CommunityMembership.Kind


def _unique_slug(name: str, exclude_pk: int | None = None) -> str:
    base = slugify(name)[:70] or "community"
    slug, n = base, 1
    existing = HeritageCommunity.objects.all()
    if exclude_pk is not None:
        existing = existing.exclude(pk=exclude_pk)
    while existing.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _name_organisers(community: HeritageCommunity, organisers: Sequence[Any]) -> None:
    community.organisers.set(organisers)
    if organisers:
        group, _created = Group.objects.get_or_create(name=Role.ORGANISER.value)
        group.user_set.add(*organisers)


def _check_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise DomainError(_("A community needs a name."), code="no_name")
    return name


@transaction.atomic
def community_create(
    *,
    name: str,
    territory: str = "",
    description: str = "",
    organisers: Sequence[Any] = (),
    actor: Actor,
) -> HeritageCommunity:
    """Create a community and name its organisers (who get the organiser role)."""
    name = _check_name(name)
    community = HeritageCommunity.objects.create(
        name=name,
        slug=_unique_slug(name),
        territory=territory.strip(),
        description=description.strip(),
    )
    _name_organisers(community, organisers)
    gatherings_list_changed()  # the filter of the list of gatherings names every community
    audit_record(
        actor=actor,
        action=AuditAction.COMMUNITY_CREATED,
        target=community,
        data={"name": name, "organisers": [u.email for u in organisers]},
    )
    return community


@transaction.atomic
def community_update(
    *,
    community: HeritageCommunity,
    name: str,
    territory: str,
    description: str,
    organisers: Sequence[Any],
    actor: Actor,
) -> HeritageCommunity:
    community = HeritageCommunity.objects.select_for_update().get(pk=community.pk)
    community.name = _check_name(name)
    community.territory = territory.strip()
    community.description = description.strip()
    community.save(update_fields=["name", "territory", "description"])
    _name_organisers(community, organisers)
    gatherings_list_changed()  # the feeds and the list's filter name the communities
    audit_record(
        actor=actor,
        action=AuditAction.COMMUNITY_CHANGED,
        target=community,
        data={"name": community.name, "organisers": [u.email for u in organisers]},
    )
    return community


def _kind_of(user: Any) -> str:
    member = member_for_user(user=user)
    return Kind.MEMBER if member is not None and member.is_current_member else Kind.PARTICIPANT


@transaction.atomic
def community_join(
    *, community: HeritageCommunity, user: Any, notify: bool, actor: Actor = None
) -> CommunityMembership:
    """A signed-in person joins a community (or changes whether they hear of new gatherings).

    Members of the cooperative join as members; anyone else as a participant, without a vote.
    """
    membership, created = CommunityMembership.objects.select_for_update().get_or_create(
        community=community, user=user, defaults={"kind": _kind_of(user), "notify": notify}
    )
    if not created:
        if membership.notify == notify:
            return membership
        membership.notify = notify
        membership.save(update_fields=["notify"])
    audit_record(
        actor=actor or user,
        action=AuditAction.COMMUNITY_JOINED if created else AuditAction.COMMUNITY_NOTIFY_CHANGED,
        target=membership,
        data={"community": community.pk, "kind": membership.kind, "notify": notify},
    )
    return membership


@transaction.atomic
def community_leave(*, community: HeritageCommunity, user: Any) -> None:
    deleted, _rows = CommunityMembership.objects.filter(community=community, user=user).delete()
    if not deleted:
        raise DomainError(_("You are not in this community."), code="not_joined")
    audit_record(
        actor=user,
        action=AuditAction.COMMUNITY_LEFT,
        target=community,
        data={"user": user.pk},
    )


def participant_request(
    *, community: HeritageCommunity, name: str, email: str, notify: bool
) -> None:
    """Someone without an account asks to join: a link to check their address is e-mailed."""
    name, email = name.strip(), email.strip().lower()
    if not name or not email:
        raise DomainError(_("Give your name and your e-mail address."), code="incomplete")
    notices.notify_participation_check(community=community, name=name, email=email, notify=notify)


@transaction.atomic
def participant_confirm(*, token: str) -> CommunityMembership:
    """The link was opened: the address is checked; the person gets an account (to sign in
    with a code sent by e-mail) if they had none, and joins the community."""
    try:
        data = participate_token_read(token)
    except BadToken as exc:
        raise DomainError(
            _("This link is not valid or is too old. Ask to join again."), code="bad_link"
        ) from exc
    community = HeritageCommunity.objects.filter(pk=data["c"]).first()
    if community is None:
        raise DomainError(_("This community no longer exists."), code="no_community")
    email = str(data["e"]).lower()
    user_model = get_user_model()
    user = user_model.objects.filter(email__iexact=email).first()
    if user is None:
        first, _space, last = str(data["n"]).partition(" ")
        user = user_model.objects.create_user(
            email=email, password=None, first_name=first[:150], last_name=last[:150]
        )
        audit_record(actor=None, action=AuditAction.PARTICIPANT_ACCOUNT, target=user, data={})
    address = EmailAddress.objects.filter(user=user, email__iexact=email).first()
    if address is None:
        EmailAddress.objects.create(
            user=user,
            email=email,
            verified=True,
            primary=not EmailAddress.objects.filter(user=user, primary=True).exists(),
        )
    elif not address.verified:
        address.verified = True
        address.save(update_fields=["verified"])
    return community_join(community=community, user=user, notify=bool(data["notify"]), actor=None)
