"""The member's side of the assemblies: my assemblies, an assembly's page with its agenda and
resolutions, and the proxy (search the roll, give, revoke)."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from coop.errors import DomainError
from coop.http import HtmxHttpRequest, render, wants_partial
from coop.roles import Role, role_required
from governance.forms.documents import QuestionForm
from governance.forms.member import ProxyGiveForm, RollSearchForm
from governance.lifecycle import Action, assembly_allows, written_questions_closing
from governance.models import RollEntry
from governance.selectors.documents import assembly_documents, member_questions
from governance.selectors.member import (
    assembly_agenda,
    member_assemblies,
    member_assembly_status,
    member_roll_entry,
    roll_search,
)
from governance.services.proxies import holder_limit, proxies_open, proxy_give, proxy_revoke
from members.selectors import member_for_user


@require_GET
@role_required(Role.MEMBER)
def my_assemblies(request: HtmxHttpRequest) -> HttpResponse:
    member = member_for_user(user=request.user)
    context: dict[str, Any] = {"member": member, "assemblies": None}
    if member is not None:
        context["assemblies"] = member_assemblies(member=member)
    return render(request, "governance/member/my_assemblies.html", context)


def _own_entry(request: HtmxHttpRequest, pk: int) -> RollEntry:
    """The signed-in member's entry on the roll of assembly `pk`; 404 when not on it."""
    member = member_for_user(user=request.user)
    entry = member_roll_entry(assembly_pk=pk, member=member) if member else None
    if entry is None:
        raise Http404
    return entry


def _detail_context(
    entry: RollEntry,
    *,
    search_form: RollSearchForm | None = None,
    give_form: ProxyGiveForm | None = None,
    question_form: QuestionForm | None = None,
) -> dict[str, Any]:
    assembly = entry.assembly
    search_form = search_form or RollSearchForm()
    query = search_form.cleaned_data.get("q", "") if search_form.is_bound else ""
    can_give = proxies_open(assembly)
    status = member_assembly_status(entry=entry)
    return {
        "assembly": assembly,
        "entry": entry,
        "status": status,
        "agenda": assembly_agenda(assembly=assembly),
        "proxies_open": can_give,
        "proxy_limit": holder_limit(assembly) if can_give else None,
        "search_form": search_form,
        "query": query,
        "results": list(roll_search(assembly=assembly, query=query, exclude=entry))
        if query
        else [],
        "give_form": give_form,
        # The assembly's documents and the written questions (RULES 35).
        "documents": list(assembly_documents(assembly=assembly)),
        "questions": list(member_questions(entry=entry)),
        "questions_open": assembly_allows(assembly, Action.ASK_QUESTION),
        "questions_until": written_questions_closing(assembly) - dt.timedelta(minutes=1),
        "question_form": question_form or QuestionForm(),
    }


@require_GET
@role_required(Role.MEMBER)
def detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    entry = _own_entry(request, pk)
    search_form = RollSearchForm(request.GET) if "q" in request.GET else RollSearchForm()
    if search_form.is_bound:
        search_form.is_valid()
    context = _detail_context(entry, search_form=search_form)
    return render(
        request,
        "governance/member/detail.html",
        context,
        partial="proxy-results",
        use_partial=wants_partial(request) and request.htmx.target == "proxy-results",
    )


@require_POST
@role_required(Role.MEMBER)
def proxy_give_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    entry = _own_entry(request, pk)
    form = ProxyGiveForm(request.POST, giver=entry)
    if form.is_valid():
        holder = form.cleaned_data["holder"]
        try:
            proxy_give(assembly=entry.assembly, giver=entry, holder=holder, actor=request.user)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Your proxy is recorded: %(holder)s will represent you at this assembly.")
                % {"holder": holder.name},
            )
            return redirect("governance:detail", pk=pk)
    query = request.POST.get("q", "")
    search_form = RollSearchForm({"q": query})
    search_form.is_valid()
    context = _detail_context(entry, search_form=search_form, give_form=form)
    return render(request, "governance/member/detail.html", context, status=400)


@require_POST
@role_required(Role.MEMBER)
def proxy_revoke_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    entry = _own_entry(request, pk)
    status = member_assembly_status(entry=entry)
    if status.proxy_given is None:
        messages.info(request, _("You have no proxy to revoke for this assembly."))
        return redirect("governance:detail", pk=pk)
    try:
        proxy_revoke(proxy=status.proxy_given, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Your proxy to %(holder)s is revoked: you can vote or attend yourself.")
            % {"holder": status.proxy_given.holder.name},
        )
    return redirect(reverse("governance:detail", args=[pk]))
