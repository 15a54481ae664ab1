"""The options of a member's printed letter, chosen by the administrator who prints it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from coop.fields import GuardedForm


class LetterOptionsForm(GuardedForm):
    """Large type or not for this print; without the form's marker, the member's preference."""

    options = forms.BooleanField(widget=forms.HiddenInput, initial=True, required=False)
    large_type = forms.BooleanField(
        label=_("Print in large type"),
        required=False,
        help_text=_("A larger font, on the same A4 paper. Ticked when the member asked for it."),
    )

    def chosen_large_type(self) -> bool | None:
        """True or False when the form was sent, None (the member's preference) otherwise."""
        if not self.is_bound or not self.is_valid() or not self.cleaned_data["options"]:
            return None
        return self.cleaned_data["large_type"]
