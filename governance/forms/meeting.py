"""Forms of the meeting desk: finding a member of the roll, checking in, the bureau."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coop.fields import GuardedForm
from governance.models import Assembly, BureauSeat, RollEntry


class CheckInSearchForm(GuardedForm):
    q = forms.CharField(
        label=_("Name or member number"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class RollEntryForm(GuardedForm):
    """The member of the roll a check-in (or its undoing) is about."""

    roll_entry = forms.ModelChoiceField(
        queryset=RollEntry.objects.none(),
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("This member is not on the roll of this assembly.")},
    )
    q = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)

    def __init__(self, *args: Any, assembly: Assembly, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["roll_entry"].queryset = RollEntry.objects.filter(assembly=assembly)


class BureauSeatForm(GuardedForm):
    role = forms.ChoiceField(label=_("Role"), choices=BureauSeat.Role.choices)
    name = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=300,
        help_text=_("Leave empty to use the name on the roll of the member number below."),
    )
    member_number = forms.IntegerField(
        label=_("Member number (optional)"),
        required=False,
        min_value=1,
        help_text=_("When the member of the bureau is a member on the roll."),
    )

    def __init__(self, *args: Any, assembly: Assembly, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.assembly = assembly

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        number = data.get("member_number")
        data["roll_entry"] = None
        if number:
            entry = RollEntry.objects.filter(assembly=self.assembly, member_number=number).first()
            if entry is None:
                self.add_error(
                    "member_number",
                    _("No member no. %(number)s on the roll of this assembly.")
                    % {"number": number},
                )
            data["roll_entry"] = entry
        elif not (data.get("name") or "").strip():
            self.add_error("name", _("Give the name of the member of the bureau."))
        return data
