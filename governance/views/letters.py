"""Printing one member's convocation letter (administrators): a page to choose large type,
then the PDF itself (governance.views.admin.manage_letter, a direct download)."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from coop.http import HtmxHttpRequest
from coop.roles import Role, role_required
from governance.forms.letters import LetterOptionsForm
from governance.models import Assembly, RollEntry
from governance.references import roll_reference


@require_GET
@role_required(Role.ADMINISTRATOR)
def manage_letter_options(request: HtmxHttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    """Choose how to print one member's letter (large type ticked if they asked for it)."""
    assembly = get_object_or_404(Assembly, pk=pk)
    if assembly.is_draft:
        raise Http404
    entry = get_object_or_404(
        RollEntry.objects.select_related("member"), pk=entry_pk, assembly=assembly
    )
    form = LetterOptionsForm(initial={"options": True, "large_type": entry.member.large_type})
    return render(
        request,
        "governance/admin/letter_options.html",
        {"assembly": assembly, "entry": entry, "form": form, "reference": roll_reference(entry)},
    )
