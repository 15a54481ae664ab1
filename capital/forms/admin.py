"""Forms of the capital desk (administrators): a subscription, a payment, a transfer and a
repayment."""

from typing import cast

from django import forms
from django.core.validators import MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import Member

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _decision_ref(help_text: str) -> forms.CharField:
    return forms.CharField(label=_("Decision reference"), max_length=200, help_text=help_text)


class CapitalDateForm(forms.Form):
    """The date the overview shows the capital at (read from the query string)."""

    on = forms.DateField(label=_("Capital on"), required=False, widget=DATE_WIDGET)


class SubscribeForm(forms.Form):
    shares = forms.IntegerField(label=_("Number of shares"), min_value=1)
    paid_amount = forms.DecimalField(
        label=_("Amount paid now (€)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text=_("At least the part the statutes require to be paid when subscribing."),
    )
    due_on = forms.DateField(
        label=_("Rest due by"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("Leave empty if the shares are fully paid now."),
    )
    effective_on = forms.DateField(label=_("Date of the subscription"), widget=DATE_WIDGET)
    decision_ref = _decision_ref(_("For example the subscription form and its date."))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["effective_on"].initial = timezone.localdate


class RepayForm(forms.Form):
    effective_on = forms.DateField(label=_("Date of the repayment"), widget=DATE_WIDGET)
    losses = forms.DecimalField(
        label=_("Losses charged (€)"),
        max_digits=14,
        decimal_places=2,
        initial=0,
        validators=[MinValueValidator(0)],
        help_text=_("Only if the approved accounts show losses; otherwise 0."),
    )
    decision_ref = _decision_ref(_("For example the resolution approving the accounts."))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["effective_on"].initial = timezone.localdate


class PayForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount paid (€)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    effective_on = forms.DateField(label=_("Date of the payment"), widget=DATE_WIDGET)
    decision_ref = _decision_ref(_("For example the bank transfer's reference."))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["effective_on"].initial = timezone.localdate


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Member) -> str:
        return f"{obj.display_name} ({obj.number or '—'})"


class TransferForm(forms.Form):
    receiver = MemberChoiceField(
        label=_("Member receiving the shares"), queryset=Member.objects.none()
    )
    shares = forms.IntegerField(label=_("Number of shares"), min_value=1)
    effective_on = forms.DateField(label=_("Date of the transfer"), widget=DATE_WIDGET)
    decision_ref = _decision_ref(_("The decision approving the transfer."))

    def __init__(self, *args, giver: Member, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["effective_on"].initial = timezone.localdate
        receiver = cast("forms.ModelChoiceField", self.fields["receiver"])
        receiver.queryset = (
            Member.objects.filter(status__in=Member.ADMITTED_STATUSES)
            .exclude(pk=giver.pk)
            .order_by("last_name", "first_name", "legal_name")
        )


class MemberActionForm(forms.Form):
    """Pick a member by number and what to record for them (from the overview)."""

    ACTIONS = (
        ("subscribe", _("a subscription")),
        ("pay", _("a payment")),
        ("transfer", _("a transfer of shares")),
    )

    number = forms.IntegerField(label=_("Member number"), min_value=1)
    action = forms.ChoiceField(
        label=_("Record"), choices=ACTIONS, initial="subscribe", widget=forms.RadioSelect
    )

    def clean_number(self) -> int:
        number = self.cleaned_data["number"]
        member = Member.objects.filter(number=number).first()
        if member is None:
            raise forms.ValidationError(
                _("No member has the number %(number)s."), params={"number": number}
            )
        self.member = member
        return number
