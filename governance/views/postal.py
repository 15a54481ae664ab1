"""The bureau records the paper path (RULES 33, 34): postal-vote forms and paper proxies
received by post, and the list of what was recorded. Administrators, as for the meeting desk
and the counts of the room."""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from coop import formatting
from coop.errors import DomainError
from coop.http import HtmxHttpRequest
from coop.roles import Role, role_required
from governance.forms.postal import PaperProxyForm, PostalVoteForm
from governance.lifecycle import Action, assembly_allows
from governance.models import Assembly, PaperForm, Resolution
from governance.selectors.postal import paper_forms_of, paper_summary
from governance.services.postal import paper_proxy_record, postal_form_record

administrator = role_required(Role.ADMINISTRATOR)


def _assembly(pk: int) -> Assembly:
    return get_object_or_404(
        Assembly.objects.select_related("statutes", "first_convocation").exclude(
            status=Assembly.Status.DRAFT
        ),
        pk=pk,
    )


def _recorded(request: HtmxHttpRequest, form: PaperForm) -> HttpResponse:
    values = {"member": form.roll_entry.name}
    if not form.counted:
        text = _(
            "The form of %(member)s is recorded as late: received after the distance-vote "
            "deadline, it is not counted."
        )
    elif form.option == PaperForm.Option.VOTE:
        text = _("The postal vote of %(member)s is recorded: it counts as a vote at distance.")
    elif form.option == PaperForm.Option.CHAIR:
        text = _(
            "The blank proxy of %(member)s is recorded: the chair votes for the resolutions the "
            "board approves and against the others."
        )
    else:
        values["holder"] = form.holder.name if form.holder else ""
        text = _("The proxy of %(member)s to %(holder)s is recorded.")
    messages.success(request, formatting.interpolate(text, values))
    return redirect("governance:postal", pk=form.assembly_id)


@require_GET
@administrator
def index(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    assembly = _assembly(pk)
    return render(
        request,
        "governance/postal/index.html",
        {
            "assembly": assembly,
            "forms": list(paper_forms_of(assembly=assembly)),
            "summary": paper_summary(assembly=assembly),
            "can_record": assembly_allows(assembly, Action.RECORD_POSTAL_FORM),
            "counts_now": assembly_allows(assembly, Action.CAST_DISTANCE),
        },
    )


def _record_form(
    request: HtmxHttpRequest,
    assembly: Assembly,
    form: PostalVoteForm | PaperProxyForm,
    record: Callable[..., PaperForm],
    template: str,
) -> HttpResponse:
    """The bureau's form for a paper form: on a valid POST, the service records it (its
    refusal shown on the form), then the list of forms says what was recorded."""
    if request.method == "POST" and form.is_valid():
        try:
            recorded = record(assembly=assembly, **form.service_arguments(), actor=request.user)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            return _recorded(request, recorded)
    return render(
        request,
        template,
        {"assembly": assembly, "form": form},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@administrator
def postal_form_new(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    assembly = _assembly(pk)
    resolutions = list(Resolution.objects.filter(assembly=assembly).order_by("number"))
    form = PostalVoteForm(request.POST or None, assembly=assembly, resolutions=resolutions)
    return _record_form(
        request, assembly, form, postal_form_record, "governance/postal/postal_form.html"
    )


@require_http_methods(["GET", "POST"])
@administrator
def paper_proxy_new(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    assembly = _assembly(pk)
    form = PaperProxyForm(request.POST or None, assembly=assembly)
    return _record_form(
        request, assembly, form, paper_proxy_record, "governance/postal/paper_proxy.html"
    )
