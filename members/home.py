"""The register on the home page: the member's own entry and, for administrators, the
applications to decide and the admissions to ratify."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import ngettext

from coop.home import HomeItem, home_section
from coop.roles import Role
from members.models import Member
from members.selectors import member_for_user, register_waiting_counts


def home_member(user: Any) -> Member | None:
    """The register entry of the person signed in, read once per request for every section."""
    if not hasattr(user, "_home_member"):
        user._home_member = member_for_user(user=user)
    return user._home_member


@home_section(
    role=Role.MEMBER, order=10, name="members.membership", template="members/home/membership.html"
)
def membership_section(request: HttpRequest) -> dict[str, Any]:
    return {"member": home_member(request.user)}


@home_section(role=Role.ADMINISTRATOR, order=10, name="members.register")
def register_section(request: HttpRequest) -> dict[str, Any]:
    counts = register_waiting_counts()
    waiting = []
    if counts["applications"]:
        waiting.append(
            HomeItem(
                label=ngettext(
                    "application to decide", "applications to decide", counts["applications"]
                ),
                url=reverse("members:applications"),
                count=counts["applications"],
                urgent=True,
            )
        )
    if counts["to_ratify"]:
        waiting.append(
            HomeItem(
                label=ngettext(
                    "admission to have ratified by the next assembly",
                    "admissions to have ratified by the next assembly",
                    counts["to_ratify"],
                ),
                url=reverse("members:ratify"),
                count=counts["to_ratify"],
            )
        )
    return {"waiting": waiting}
