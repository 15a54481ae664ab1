"""Heritage activity in the personal-data exports (RULES 5, 28-30).

Heritage data is kept by login account, not by entry in the register: the section "heritage"
holds what is recorded for an account (the communities it joined or organises, its
registrations to gatherings, the items and images it contributed).

- A member's export (members.gdpr) gets it through the member's account, registered by
  `HeritageConfig.ready()`. A member without a login account has none of it: every list is
  empty.
- Anyone else with an account (a participant, an organiser who is not a member) downloads
  `account_data_export`: their account and this same section, nothing of the register.

Registrations made as a guest (a name and an e-mail address, without signing in) belong to no
account and are not in the export, even when the address is the member's: an address alone
does not prove who registered.
"""

from typing import Any

from django.utils import timezone

from coop.roles import Role, has_role
from heritage.models import CommunityMembership, HeritageItem, ItemImage, Registration
from heritage.selectors import communities_organised_by, waiting_rank
from members.gdpr import account_data, json_ready, personal_data_section
from members.models import Member
from members.selectors import member_for_user

#: The download of an account that is not a member's: "account" and "heritage" sections.
ACCOUNT_DATA_FORMAT = "voliere-account-data/1"


def _registration(registration: Registration) -> dict[str, Any]:
    gathering = registration.gathering
    return {
        "gathering": gathering.title,
        "community": gathering.community.name,
        "kind": gathering.kind,
        "starts_at": gathering.starts_at,
        "ends_at": gathering.ends_at,
        "place": gathering.place,
        "gathering_status": gathering.status,
        "status": registration.status,
        "status_label": str(registration.get_status_display()),
        "waiting_list_position": registration.position,
        "place_in_line_now": waiting_rank(registration=registration),
        "offer_to_confirm_before": registration.offer_expires_at,
        "attended": registration.attended,
        "language": registration.language,
        "registered_at": registration.created_at,
        "confirmed_at": registration.confirmed_at,
        "cancelled_at": registration.cancelled_at,
    }


def heritage_data(*, user: Any | None) -> dict[str, Any]:
    """The heritage data of a login account (empty lists without one)."""
    if user is None:
        return {
            "communities": [],
            "communities_organised": [],
            "registrations": [],
            "items_contributed": [],
            "images_contributed": [],
        }
    memberships = (
        CommunityMembership.objects.filter(user=user)
        .select_related("community")
        .order_by("joined_at", "id")
    )
    registrations = (
        Registration.objects.filter(user=user)
        .select_related("gathering__community")
        .order_by("gathering__starts_at", "created_at", "id")
    )
    items = (
        HeritageItem.objects.filter(contributed_by=user)
        .select_related("community")
        .order_by("created_at", "id")
    )
    images = (
        ItemImage.objects.filter(contributed_by=user)
        .select_related("item")
        .order_by("created_at", "id")
    )
    return {
        "communities": [
            {
                "community": membership.community.name,
                "as": membership.kind,
                "as_label": str(membership.get_kind_display()),
                "told_of_new_gatherings": membership.notify,
                "joined_at": membership.joined_at,
            }
            for membership in memberships
        ],
        "communities_organised": [c.name for c in communities_organised_by(user=user)],
        "registrations": [_registration(r) for r in registrations],
        "items_contributed": [
            {
                "title": item.title,
                "kind": item.kind,
                "community": item.community.name,
                "description": item.description,
                "latitude": item.latitude,
                "longitude": item.longitude,
                "publication_consent": item.publication_consent,
                "created_at": item.created_at,
                "updated_at": item.updated_at,
            }
            for item in items
        ],
        "images_contributed": [
            {
                "item": image.item.title,
                "file": image.image.name,
                "description": image.alt_text,
                "author": image.author,
                "licence": image.licence,
                "licence_label": str(image.get_licence_display()),
                "publication_consent": image.publication_consent,
                "created_at": image.created_at,
            }
            for image in images
        ],
    }


@personal_data_section
def heritage(member: Member) -> tuple[str, Any]:
    """The heritage data of the member's login account (empty lists without one)."""
    return "heritage", heritage_data(user=member.user)


def has_member_export(*, user: Any) -> bool:
    """Whether the account downloads the member's export (members:me_data): a member's role
    and an entry in the register. Every other account downloads `account_data_export`."""
    return has_role(user, Role.MEMBER) and member_for_user(user=user) is not None


def account_data_export(*, user: Any) -> dict[str, Any]:
    """Everything the cooperative holds about an account that is not a member's: the account
    itself and its heritage activity, JSON-ready, in the member export's conventions."""
    return {
        "format": ACCOUNT_DATA_FORMAT,
        "generated_at": timezone.localtime().isoformat(),
        "account": json_ready(account_data(user=user)),
        "heritage": json_ready(heritage_data(user=user)),
    }
