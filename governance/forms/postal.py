"""The bureau's forms for the paper path (RULES 33, 34): a postal-vote form as the letter
lays it out, and a paper proxy. The member is found by the reference printed on the letter or
by their number; the service checks everything again under the assembly's lock."""

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coop.fields import GuardedForm, guard_field
from governance.forms.voting import ABSTAIN_HELP, resolution_field_name
from governance.models import Assembly, BallotChoice, PaperForm, Resolution, RollEntry
from governance.selectors.postal import roll_entry_find

NOT_FOUND = _(
    "No member on the roll of this assembly has this reference or number: check the letter."
)


def _member_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=40,
        required=required,
        help_text=help_text,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class _PaperForm(GuardedForm):
    member = _member_field(
        _("Reference on the letter, or member number"),
        help_text=_("For example A12-0457-KX, printed under the address; or 457."),
    )
    received_on = forms.DateField(
        label=_("Received on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The day the letter arrived."),
    )

    def __init__(self, *args: Any, assembly: Assembly, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"received_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.assembly = assembly

    def _entry(self, name: str) -> RollEntry | None:
        text = self.cleaned_data.get(name) or ""
        if not text.strip():
            return None
        entry = roll_entry_find(assembly=self.assembly, text=text)
        if entry is None:
            self.add_error(name, NOT_FOUND)
        return entry

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["roll_entry"] = self._entry("member")
        return data


class PostalVoteForm(_PaperForm):
    option = forms.ChoiceField(
        label=_("What the form says"),
        choices=[
            (PaperForm.Option.CHAIR, _("(1) Signed without ticking anything: trusts the chair")),
            (PaperForm.Option.VOTE, _("(2) Votes on each resolution")),
            (PaperForm.Option.HOLDER, _("(3) Names another member as proxy holder")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Tick one of the form's three options.")},
    )
    holder = _member_field(_("For (3): the holder's reference or member number"), required=False)
    amendments = forms.ChoiceField(
        label=_("Amendments or new resolutions at the meeting"),
        choices=[
            (PaperForm.Amendments.CHAIR, _("The chair votes for the member")),
            (PaperForm.Amendments.ABSTAIN, _("Abstain")),
            (PaperForm.Amendments.HOLDER, _("A named member votes")),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Say what the form's box on amendments and new resolutions says.")
        },
    )
    amendments_holder = _member_field(
        _("The member named for amendments: reference or member number"), required=False
    )

    def __init__(
        self, *args: Any, assembly: Assembly, resolutions: Sequence[Resolution], **kwargs: Any
    ) -> None:
        super().__init__(*args, assembly=assembly, **kwargs)
        self.resolutions = list(resolutions)
        for resolution in self.resolutions:
            field = forms.ChoiceField(
                label=_("Resolution %(number)s: %(title)s")
                % {"number": resolution.number, "title": resolution.title},
                choices=[("", _("left blank (abstention)")), *BallotChoice.choices],
                widget=forms.RadioSelect,
                required=False,
                initial="",
                help_text=ABSTAIN_HELP,
            )
            guard_field(field)
            self.fields[resolution_field_name(resolution)] = field

    @property
    def resolution_fields(self) -> list[tuple[Resolution, forms.BoundField]]:
        return [(r, self[resolution_field_name(r)]) for r in self.resolutions]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        option = data.get("option")
        data["holder_entry"] = self._entry("holder")
        if option == PaperForm.Option.HOLDER and not (data.get("holder") or "").strip():
            self.add_error("holder", _("Give the reference or number of the holder named."))
        data["amendments_entry"] = self._entry("amendments_holder")
        if (
            data.get("amendments") == PaperForm.Amendments.HOLDER
            and not (data.get("amendments_holder") or "").strip()
        ):
            self.add_error(
                "amendments_holder", _("Give the reference or number of the member named.")
            )
        data["choices"] = {
            r.pk: data.get(resolution_field_name(r)) or None for r in self.resolutions
        }
        return data

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        option = data["option"]
        return {
            "roll_entry": data["roll_entry"],
            "received_on": data["received_on"],
            "option": option,
            "choices": data["choices"] if option == PaperForm.Option.VOTE else None,
            "holder": data["holder_entry"] if option == PaperForm.Option.HOLDER else None,
            "amendments": data["amendments"],
            "amendments_holder": data["amendments_entry"]
            if data["amendments"] == PaperForm.Amendments.HOLDER
            else None,
        }


class PaperProxyForm(_PaperForm):
    holder = _member_field(
        _("Holder named: reference or member number"),
        required=False,
        help_text=_("Leave empty for a signed proxy that names nobody: it goes to the chair."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        data["holder_entry"] = self._entry("holder")
        return data

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "roll_entry": data["roll_entry"],
            "received_on": data["received_on"],
            "holder": data["holder_entry"],
        }
