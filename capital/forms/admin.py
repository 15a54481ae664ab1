"""Forms of the capital desk (administrators): a subscription, a payment, a transfer, a
repayment, a correction, the register's download, the approval of the accounts and the interest
rate on shares."""

import datetime as dt
from typing import cast

from django import forms
from django.core.validators import MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coop.fields import GuardedForm
from members.models import Member

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _decision_ref(help_text: str) -> forms.CharField:
    return forms.CharField(label=_("Decision reference"), max_length=200, help_text=help_text)


class CapitalDateForm(GuardedForm):
    """The date the overview shows the capital at (read from the query string)."""

    on = forms.DateField(label=_("Capital on"), required=False, widget=DATE_WIDGET)


class SubscribeForm(GuardedForm):
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


class RepayForm(GuardedForm):
    effective_on = forms.DateField(label=_("Date of the repayment"), widget=DATE_WIDGET)
    losses = forms.DecimalField(
        label=_("Losses charged (€)"),
        max_digits=14,
        decimal_places=2,
        required=False,
        validators=[MinValueValidator(0)],
        help_text=_(
            "Leave empty: the losses per share of the approved accounts of the year of exit "
            "are charged. A figure typed here must be the same."
        ),
    )
    decision_ref = _decision_ref(_("For example the resolution approving the accounts."))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["effective_on"].initial = timezone.localdate


class PayForm(GuardedForm):
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


class TransferForm(GuardedForm):
    receiver = MemberChoiceField(
        label=_("Member receiving the shares"), queryset=Member.objects.none()
    )
    shares = forms.IntegerField(label=_("Number of shares"), min_value=1)
    effective_on = forms.DateField(label=_("Date of the transfer"), widget=DATE_WIDGET)
    decision_ref = _decision_ref(_("The decision approving the transfer."))

    def __init__(self, *args, giver: Member, approval_body: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["effective_on"].initial = timezone.localdate
        if approval_body:
            self.fields["decision_ref"].help_text = _(
                "The decision of %(body)s approving the transfer, as the statutes in force require."
            ) % {"body": approval_body}
        receiver = cast("forms.ModelChoiceField", self.fields["receiver"])
        receiver.queryset = (
            Member.objects.filter(status__in=Member.ADMITTED_STATUSES)
            .exclude(pk=giver.pk)
            .order_by("last_name", "first_name", "legal_name")
        )


class MemberActionForm(GuardedForm):
    """Pick a member by number and what to record for them (from the overview)."""

    ACTIONS = (
        ("member", _("nothing yet: show their shares and movements")),
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


class CorrectForm(GuardedForm):
    effective_on = forms.DateField(label=_("Date of the correction"), widget=DATE_WIDGET)
    decision_ref = forms.CharField(
        label=_("Reason and decision reference"),
        max_length=200,
        help_text=_("Why the movement is corrected and who decided it, e.g. “Entry error, CA 12”."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["effective_on"].initial = timezone.localdate


class RegisterForm(GuardedForm):
    """The period and the format of the register of share movements to download."""

    FORMAT_CSV = "csv"
    FORMAT_PDF = "pdf"

    start = forms.DateField(label=_("From"), widget=DATE_WIDGET)
    end = forms.DateField(label=_("To (included)"), widget=DATE_WIDGET)
    format = forms.ChoiceField(
        label=_("Format"),
        choices=(
            (FORMAT_PDF, _("PDF, to print and sign")),
            (FORMAT_CSV, _("CSV, for a spreadsheet")),
        ),
        initial=FORMAT_PDF,
        widget=forms.RadioSelect,
    )

    def clean(self) -> dict:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            raise forms.ValidationError(_("The end of the period comes before its start."))
        return data


def _year_field() -> forms.IntegerField:
    return forms.IntegerField(
        label=_("Financial year ending in"),
        min_value=1900,
        max_value=2999,
        help_text=_("The calendar year in which the financial year ends, e.g. 2025."),
    )


class AccountsApprovalForm(GuardedForm):
    year = _year_field()
    approved_on = forms.DateField(label=_("Approved on"), widget=DATE_WIDGET)
    decision_ref = _decision_ref(_("The resolution of the general assembly approving them."))
    losses_per_share = forms.DecimalField(
        label=_("Losses per share (€)"),
        max_digits=12,
        decimal_places=2,
        initial=0,
        validators=[MinValueValidator(0)],
        help_text=_("Charged to the shares repaid to members who left in that year; 0 if none."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = lambda: timezone.localdate().year - 1


class InterestRateForm(GuardedForm):
    year = _year_field()
    rate = forms.DecimalField(
        label=_("Interest rate decided (%)"),
        max_digits=6,
        decimal_places=3,
        validators=[MinValueValidator(0)],
    )
    tmo_average = forms.DecimalField(
        label=_("Average TMO of the 3 previous years (%)"),
        max_digits=6,
        decimal_places=3,
        help_text=_("The average rate of bonds (taux moyen de rendement des obligations, TMO)."),
    )
    decided_on = forms.DateField(label=_("Decided on"), widget=DATE_WIDGET)
    decision_ref = _decision_ref(_("The resolution of the general assembly."))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = lambda: timezone.localdate().year - 1


def default_period() -> tuple[dt.date, dt.date]:
    """The current calendar year up to today."""
    today = timezone.localdate()
    return today.replace(month=1, day=1), today
