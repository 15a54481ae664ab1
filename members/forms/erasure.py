"""The confirmation of an erasure of a former member's personal data."""

from django import forms
from django.utils.translation import gettext_lazy as _

from coop.fields import GuardedForm

# PostgreSQL's integer: a larger number cannot be anyone's and is refused by the form.
MAX_NUMBER = 2_147_483_647


class ErasureConfirmForm(GuardedForm):
    confirm_number = forms.IntegerField(
        label=_("Member number, typed to confirm"),
        min_value=1,
        max_value=MAX_NUMBER,
        help_text=_("Type the number of the member whose personal data is to be erased."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
