"""Forms of the member's side: searching the roll for a proxy holder, giving a proxy."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coop.fields import GuardedForm
from governance.models import RollEntry


class RollSearchForm(GuardedForm):
    q = forms.CharField(
        label=_("Name or member number"),
        required=False,
        max_length=100,
        help_text=_("Type at least 2 letters of the name of the member you choose."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class ProxyGiveForm(GuardedForm):
    holder = forms.ModelChoiceField(
        label=_("Proxy holder"),
        queryset=RollEntry.objects.none(),
        widget=forms.HiddenInput,
        error_messages={
            "invalid_choice": _("Choose a member on the roll of this assembly."),
            "required": _("Choose the member who will hold your proxy."),
        },
    )

    def __init__(self, *args: Any, giver: RollEntry, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["holder"].queryset = RollEntry.objects.filter(
            assembly_id=giver.assembly_id
        ).exclude(pk=giver.pk)
