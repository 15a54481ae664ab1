"""The assemblies on the home page: the member's next assembly (time left to vote, whether
they took part, their proxies, what waits for them) and, for administrators, each assembly with
its next step and its date."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coop.home import HomeItem, home_section
from coop.roles import Role
from governance.models import Assembly
from governance.selectors.home import (
    AssemblyStep,
    NextAssembly,
    assemblies_next_steps,
    member_next_assembly,
)
from members.home import home_member


def _voting_window(next_: NextAssembly) -> dict[str, Any]:
    """Whether the member can vote online now, and until when."""
    assembly = next_.assembly
    now = timezone.now()
    if assembly.status == Assembly.Status.VOTING_OPEN:
        return {"vote_open": True, "vote_until": None}
    if assembly.status == Assembly.Status.CONVENED and now < assembly.distance_vote_deadline:
        return {"vote_open": True, "vote_until": assembly.distance_vote_deadline}
    return {"vote_open": False, "vote_until": None}


@home_section(
    role=Role.MEMBER,
    order=20,
    name="governance.next_assembly",
    template="governance/home/member_assembly.html",
)
def member_assembly_section(request: HttpRequest) -> dict[str, Any] | None:
    member = home_member(request.user)
    if member is None:
        return None
    next_ = member_next_assembly(member=member)
    if next_ is None:
        return {"next": None}
    window = _voting_window(next_)
    assembly = next_.assembly
    title = assembly.title
    ballot_url = reverse("governance:ballot", args=[assembly.pk])
    detail_url = reverse("governance:detail", args=[assembly.pk])
    waiting = []
    if window["vote_open"] and not next_.voted and next_.proxy_given is None:
        waiting.append(
            HomeItem(
                label=_("Vote in “%(title)s”") % {"title": title},
                url=ballot_url,
                when=window["vote_until"],
                urgent=True,
            )
        )
    if window["vote_open"]:
        for held in next_.to_vote_for:
            waiting.append(
                HomeItem(
                    label=_("Vote for %(name)s, whose proxy you hold, in “%(title)s”")
                    % {"name": held.proxy.giver.name, "title": title},
                    url=ballot_url,
                    when=window["vote_until"],
                    urgent=True,
                )
            )
    if next_.documents:
        waiting.append(
            HomeItem(
                label=ngettext(
                    "%(count)s document of “%(title)s” to read",
                    "%(count)s documents of “%(title)s” to read",
                    next_.documents,
                )
                % {"count": next_.documents, "title": title},
                url=detail_url + "#documents",
                count=next_.documents,
            )
        )
    if next_.answered:
        waiting.append(
            HomeItem(
                label=ngettext(
                    "The board answered your question for “%(title)s”",
                    "The board answered %(count)s of your questions for “%(title)s”",
                    next_.answered,
                )
                % {"count": next_.answered, "title": title},
                url=detail_url + "#questions",
                count=next_.answered,
            )
        )
    return {
        "next": next_,
        **window,
        "ballot_url": ballot_url,
        "detail_url": detail_url,
        "results_url": reverse("governance:results", args=[assembly.pk]),
        "waiting": waiting,
    }


def _when_text(when: Any) -> str:
    if when is None:
        return ""
    if isinstance(when, dt.datetime):
        return date_format(timezone.localtime(when), "DATETIME_FORMAT")
    return date_format(when, "DATE_FORMAT")


def _step_item(step: AssemblyStep) -> HomeItem:
    """The next step of an assembly, said in a sentence with its date, and where to take it."""
    assembly = step.assembly
    values = {"title": assembly.title, "date": _when_text(step.when)}
    manage = reverse("governance:manage_detail", args=[assembly.pk])
    control = reverse("governance:vote_control", args=[assembly.pk])
    if step.step == "drafted" and step.when is not None:
        label, url = _("“%(title)s” is in preparation: convene it by %(date)s."), manage
    elif step.step == "drafted":
        label, url = _("“%(title)s” is in preparation: convene it."), manage
    elif step.step == "convened":
        label, url = _("“%(title)s” is convened: the meeting is on %(date)s."), manage
    elif step.step == "meeting":
        label, url = _("“%(title)s”: the meeting is open, open the vote."), control
    elif step.step == "open":
        label = _("“%(title)s”: voting has been open since %(date)s, close it when the time comes.")
        url = control
    elif step.step == "closed":
        label, url = _("“%(title)s”: voting is closed, publish the results."), control
    else:
        label = _("“%(title)s”: the results are published, write and publish the minutes.")
        url = reverse("governance:minutes_edit", args=[assembly.pk])
    return HomeItem(label=label % values, url=url, urgent=step.step in ("meeting", "closed"))


@home_section(
    role=Role.ADMINISTRATOR,
    order=30,
    name="governance.assemblies",
    template="governance/home/admin_assemblies.html",
)
def admin_assemblies_section(request: HttpRequest) -> dict[str, Any]:
    return {
        "steps": [_step_item(step) for step in assemblies_next_steps()],
        "manage_url": reverse("governance:manage"),
    }
