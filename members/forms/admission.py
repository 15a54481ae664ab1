"""Forms of the admission pages: the public application, admission, rejection, ratification.

The forms check what a person typed and say what to correct; the services apply the rules
again (members.services.lifecycle), and their DomainError is shown as a non-field error.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import get_language_info, ngettext
from django.utils.translation import gettext_lazy as _

from coop import formatting
from coop.fields import GuardedForm
from members.models import Category, College, Member
from members.services import ApplicationData

# Nobody subscribes more shares than this through the public form.
MAX_REQUESTED_SHARES = 100_000

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

HONEYPOT_FIELD = "website"


def _money(amount: Decimal) -> str:
    return formatting.money(amount)


def _current_language() -> str:
    codes = [code for code, _name in settings.LANGUAGES]
    language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return language if language in codes else settings.LANGUAGE_CODE


class CategoryChoiceField(forms.ModelChoiceField):
    """A category with the least number of shares its members subscribe (and their value)."""

    def __init__(self, *args: Any, nominal: Decimal | None = None, floor: int = 1, **kwargs: Any):
        self.nominal = nominal
        self.floor = floor
        super().__init__(*args, **kwargs)

    def minimum(self, category: Category) -> int:
        return max(category.minimum_shares, self.floor)

    def label_from_instance(self, obj: Category) -> str:
        minimum = self.minimum(obj)
        text = ngettext(
            "%(category)s: at least %(count)d share",
            "%(category)s: at least %(count)d shares",
            minimum,
        ) % {"category": obj.name, "count": minimum}
        if self.nominal is not None:
            text += f" ({_money(self.nominal * minimum)})"
        return text


class ApplicationForm(GuardedForm):
    """The public application for membership (natural or legal person)."""

    person_kind = forms.ChoiceField(
        label=_("You apply as"),
        choices=[
            (Member.PersonKind.NATURAL, _("a person, in your own name")),
            (
                Member.PersonKind.LEGAL,
                _(
                    "a legal person (company, association, local authority...), "
                    "as its representative"
                ),
            ),
        ],
        initial=Member.PersonKind.NATURAL,
        widget=forms.RadioSelect,
    )
    first_name = forms.CharField(
        label=_("First name"),
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    legal_name = forms.CharField(
        label=_("Name of the legal person"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    legal_registration = forms.CharField(
        label=_("Registration number (SIREN, RNA...)"),
        max_length=60,
        required=False,
        help_text=_("Optional."),
    )
    representative_name = forms.CharField(
        label=_("Representative's name"),
        max_length=200,
        required=False,
        help_text=_("The person who acts for the legal person with the cooperative."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    representative_role = forms.CharField(
        label=_("Representative's role"),
        max_length=120,
        required=False,
        help_text=_("For example: president, manager, mayor."),
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        required=False,
        help_text=_(
            "Optional. With an address you get an acknowledgement now, and a login to the "
            "members' portal once admitted. Without one, the cooperative writes to you by post."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Telephone"),
        max_length=40,
        required=False,
        help_text=_("Optional."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    address = forms.CharField(
        label=_("Postal address"),
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    postal_code = forms.CharField(
        label=_("Postal code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )
    city = forms.CharField(
        label=_("Town"),
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    country = forms.CharField(
        label=_("Country"),
        max_length=80,
        initial="France",
        widget=forms.TextInput(attrs={"autocomplete": "country-name"}),
    )
    category = CategoryChoiceField(
        label=_("Category of associates you ask to join"),
        queryset=Category.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Choose the category you ask to join.")},
    )
    requested_shares = forms.IntegerField(
        label=_("Number of shares you intend to subscribe"),
        min_value=1,
        max_value=MAX_REQUESTED_SHARES,
        initial=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    e_notices = forms.BooleanField(
        label=_(
            "I agree to receive the cooperative's notices (convocations to general assemblies, "
            "results) by e-mail instead of by post."
        ),
        required=False,
        help_text=_("You can withdraw this consent at any time. It needs an e-mail address."),
    )
    language = forms.ChoiceField(
        label=_("Language of the messages we send you"),
        choices=settings.LANGUAGES,
    )
    # Left empty by people; robots that fill every field fill it too. Hidden from everyone.
    website = forms.CharField(label=_("Leave this field empty"), required=False)

    NATURAL_FIELDS = ("first_name", "last_name")
    LEGAL_FIELDS = (
        "legal_name",
        "legal_registration",
        "representative_name",
        "representative_role",
    )
    CONTACT_FIELDS = ("email", "phone", "address", "postal_code", "city", "country")

    def __init__(
        self,
        *args: Any,
        nominal: Decimal | None = None,
        statutes_minimum: int = 1,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.nominal = nominal
        field = self.fields["category"]
        field.queryset = Category.objects.filter(active=True).order_by("position", "name")
        field.nominal = nominal
        field.floor = statutes_minimum
        self.fields["language"].choices = [
            (code, get_language_info(code)["name_local"].capitalize())
            for code, _name in settings.LANGUAGES
        ]
        self.fields["language"].initial = _current_language()
        self.fields[HONEYPOT_FIELD].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        if nominal is not None:
            # With JavaScript, the total follows the number typed (the page's #shares-total).
            self.fields["requested_shares"].widget.attrs.update(
                {
                    "hx-get": reverse("members:apply"),
                    "hx-trigger": "input changed delay:300ms",
                    "hx-target": "#shares-total",
                    "hx-swap": "outerHTML",
                }
            )
            self.fields["requested_shares"].help_text = _(
                "One share is worth %(value)s. You subscribe your shares once admitted."
            ) % {"value": _money(nominal)}

    # ---- what the template shows

    def natural_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.NATURAL_FIELDS]

    def legal_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.LEGAL_FIELDS]

    def contact_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.CONTACT_FIELDS]

    def shares_total(self) -> tuple[int, Decimal] | None:
        """The shares typed (or the initial number) and their value, when it can be told."""
        if self.nominal is None:
            return None
        raw = (
            self.data.get("requested_shares")
            if self.is_bound
            else self.initial.get("requested_shares", self.fields["requested_shares"].initial)
        )
        try:
            shares = int(raw)
        except (TypeError, ValueError):
            return None
        if not 1 <= shares <= MAX_REQUESTED_SHARES:
            return None
        return shares, self.nominal * shares

    # ---- validation

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get(HONEYPOT_FIELD):
            raise ValidationError(
                _(
                    "The field “Leave this field empty” was filled in, so the application was "
                    "not sent. Empty it and send again."
                ),
                code="honeypot",
            )
        kind = cleaned.get("person_kind")
        if kind == Member.PersonKind.NATURAL:
            if not cleaned.get("last_name", "").strip():
                self.add_error("last_name", _("Give your last name."))
        elif kind == Member.PersonKind.LEGAL:
            if not cleaned.get("legal_name", "").strip():
                self.add_error("legal_name", _("Give the name of the legal person."))
            if not cleaned.get("representative_name", "").strip():
                self.add_error(
                    "representative_name",
                    _("A legal person applies through its representative: give their name."),
                )
            if not cleaned.get("representative_role", "").strip():
                self.add_error(
                    "representative_role", _("Give the representative's role in the legal person.")
                )
        wants_e_notices = cleaned.get("e_notices") and not cleaned.get("email", "").strip()
        if wants_e_notices and "email" not in self.errors:
            self.add_error(
                "email",
                _(
                    "Notices can be sent by e-mail only to an address: give one, or untick "
                    "the box to receive them by post."
                ),
            )
        category = cleaned.get("category")
        shares = cleaned.get("requested_shares")
        if category is not None and shares is not None:
            minimum = self.fields["category"].minimum(category)
            if shares < minimum:
                self.add_error(
                    "requested_shares",
                    ngettext(
                        "Members of the category “%(category)s” subscribe at least %(count)d "
                        "share.",
                        "Members of the category “%(category)s” subscribe at least %(count)d "
                        "shares.",
                        minimum,
                    )
                    % {"category": category.name, "count": minimum},
                )
        return cleaned

    def application_data(self) -> ApplicationData:
        """What the service records; the fields of the other kind of person are dropped."""
        data = self.cleaned_data
        legal = data["person_kind"] == Member.PersonKind.LEGAL
        return ApplicationData(
            person_kind=data["person_kind"],
            category=data["category"],
            first_name="" if legal else data["first_name"],
            last_name="" if legal else data["last_name"],
            legal_name=data["legal_name"] if legal else "",
            legal_registration=data["legal_registration"] if legal else "",
            representative_name=data["representative_name"] if legal else "",
            representative_role=data["representative_role"] if legal else "",
            email=data["email"],
            phone=data["phone"],
            address=data["address"],
            postal_code=data["postal_code"],
            city=data["city"],
            country=data["country"],
            language=data["language"],
            requested_shares=data["requested_shares"],
            e_notices=data["e_notices"],
        )


def _not_in_future(value: dt.date) -> dt.date:
    if value > timezone.localdate():
        raise ValidationError(_("A decision cannot be dated in the future."), code="future")
    return value


class AdmitForm(GuardedForm):
    """The board's admission of one applicant."""

    decided_on = forms.DateField(
        label=_("Date of the decision"), widget=DATE_WIDGET, validators=[_not_in_future]
    )
    decision_ref = forms.CharField(
        label=_("Reference of the decision"),
        max_length=200,
        help_text=_("For example: board meeting of 3 March 2025, decision 2025-07."),
    )
    college = forms.ModelChoiceField(
        label=_("College"),
        queryset=College.objects.order_by("position", "name"),
        help_text=_("The college the member votes in; usually that of their category."),
    )


class RejectForm(GuardedForm):
    """The board's rejection of one applicant, with the reason they will be told."""

    decided_on = forms.DateField(
        label=_("Date of the decision"), widget=DATE_WIDGET, validators=[_not_in_future]
    )
    reason = forms.CharField(
        label=_("Reason given to the applicant"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The applicant receives it with the decision."),
    )


class RatifyForm(GuardedForm):
    """Members admitted by the board, ratified by a general assembly."""

    members = forms.ModelMultipleChoiceField(
        label=_("Members ratified"),
        # Every member: when one chosen is no longer awaiting ratification, the service
        # refuses the whole list and names them.
        queryset=Member.objects.all(),
        error_messages={"required": _("Choose at least one member to ratify.")},
    )
    ratified_on = forms.DateField(
        label=_("Date of the general assembly"), widget=DATE_WIDGET, validators=[_not_in_future]
    )
    assembly_ref = forms.CharField(
        label=_("Reference of the assembly"),
        max_length=200,
        help_text=_("For example: ordinary general assembly of 14 June 2025, resolution 3."),
    )

    def selected_ids(self) -> set[str]:
        if not self.is_bound:
            return set()
        return set(self.data.getlist(self.add_prefix("members")))
