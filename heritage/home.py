"""Gatherings on the home page: for members, the next gatherings of their communities and the
seats offered to them; for organisers, their next gatherings with seats taken, the waiting
list and what to do."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from coop.home import HomeItem, home_section
from coop.roles import Role
from heritage.models import Gathering
from heritage.selectors import gatherings_of_my_communities, gatherings_to_run, seats_offered_to
from heritage.tokens import offer_token


@home_section(
    role=Role.MEMBER,
    order=40,
    name="heritage.gatherings",
    template="heritage/home/member_gatherings.html",
)
def member_gatherings_section(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    waiting = [
        HomeItem(
            label=_("A seat is offered to you at “%(title)s”: confirm it")
            % {"title": registration.gathering.title},
            url=reverse("heritage:registration_offer", args=[offer_token(registration.pk)]),
            when=registration.offer_expires_at,
            urgent=True,
        )
        for registration in seats_offered_to(user=user)
    ]
    return {
        "gatherings": gatherings_of_my_communities(user=user),
        "waiting": waiting,
        "list_url": reverse("heritage:gatherings"),
        "communities_url": reverse("heritage:communities"),
    }


def _what_to_do(gathering: Gathering, today: Any) -> str:
    """The organiser's next step for a gathering, in a sentence."""
    if gathering.status == Gathering.Status.DRAFT:
        return _("Not published yet: check it and publish it.")
    if timezone.localtime(gathering.starts_at).date() == today:
        return _("Today: print the sign-in sheet and record who came.")
    if getattr(gathering, "offered", 0):  # annotated by the selector
        return _(
            "Seats are offered to people on the waiting list: an offer not confirmed in time "
            "passes to the next."
        )
    if getattr(gathering, "waiting", 0) and gathering.seats_taken >= gathering.capacity:
        return _("Full, with a waiting list: a seat freed is offered to the next in line.")
    if gathering.seats_taken >= gathering.capacity:
        return _("Full: nothing to do.")
    return _("Open for registrations: nothing to do.")


@home_section(
    role=Role.ORGANISER,
    order=10,
    name="heritage.organise",
    template="heritage/home/organiser_gatherings.html",
)
def organiser_section(request: HttpRequest) -> dict[str, Any]:
    today = timezone.localdate()
    rows = [
        {
            "gathering": gathering,
            "todo": _what_to_do(gathering, today),
            "url": reverse("heritage:gathering_manage", args=[gathering.pk]),
        }
        for gathering in gatherings_to_run(user=request.user)
    ]
    return {"rows": rows, "organise_url": reverse("heritage:organise")}
