"""Forms of the register desk: the register filter, a member's contact details, a move to
another college, an exit, the colleges as a whole, a category."""

from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from coop.errors import DomainError
from coop.fields import GuardedForm, GuardedModelForm
from members.models import Category, College, Member
from members.services import CONTACT_FIELDS, CategoryData, CollegeDraft, colleges_validate

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RegisterFilterForm(GuardedForm):
    """The register's search and filters, read from the query string."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_("Name, member number or e-mail address, or part of it."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *Member.Status.choices],
    )
    college = forms.ModelChoiceField(
        label=_("College"),
        required=False,
        queryset=College.objects.order_by("position", "name"),
        empty_label=_("All colleges"),
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        required=False,
        queryset=Category.objects.order_by("position", "name"),
        empty_label=_("All categories"),
    )

    def filters(self) -> dict[str, Any]:
        """The valid filters as register_search takes them; an invalid one is left out."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {
            "query": cleaned.get("q") or "",
            "status": cleaned.get("status") or "",
            "college": cleaned.get("college"),
            "category": cleaned.get("category"),
        }


# Contact details by kind of person: a natural person has no company name or registration.
NATURAL_PERSON_FIELDS = tuple(
    name
    for name in CONTACT_FIELDS
    if name
    not in ("legal_name", "legal_registration", "representative_name", "representative_role")
)
LEGAL_PERSON_FIELDS = tuple(
    name for name in CONTACT_FIELDS if name not in ("first_name", "last_name")
)
CONTACT_GROUPS = (
    (_("Name"), ("first_name", "last_name")),
    (_("Legal person"), ("legal_name", "legal_registration")),
    (_("Representative"), ("representative_name", "representative_role")),
    (_("Contact"), ("email", "phone", "address", "postal_code", "city", "country", "language")),
    (_("Letters by post"), ("large_type",)),
)


class ContactForm(GuardedForm):
    """A member's contact details, validated as the model's fields are (lengths, e-mail).

    Only the fields the administrator changed go to the service, so a change someone else
    made meanwhile to another field is not overwritten with what this page showed.
    """

    def __init__(self, *args: Any, member: Member, **kwargs: Any) -> None:
        names = (
            LEGAL_PERSON_FIELDS
            if member.person_kind == Member.PersonKind.LEGAL
            else NATURAL_PERSON_FIELDS
        )
        kwargs.setdefault("initial", {name: getattr(member, name) for name in names})
        super().__init__(*args, **kwargs)
        self.fields.update(forms.fields_for_model(Member, fields=names))
        self.fields["language"] = forms.ChoiceField(
            label=capfirst(Member._meta.get_field("language").verbose_name),
            choices=settings.LANGUAGES,
            help_text=_("The language of the notices and letters sent to this member."),
        )
        if member.person_kind == Member.PersonKind.LEGAL:
            self.fields["legal_name"].required = True
            self.fields["representative_name"].required = True
        else:
            self.fields["last_name"].required = True
        for field in self.fields.values():
            # The details of someone else: the browser must not fill in the administrator's.
            field.widget.attrs["autocomplete"] = "off"
        if "email" in self.fields:
            self.fields["email"].help_text = _(
                "Without an address, the member can no longer receive notices by e-mail: "
                "their consent ends."
            )

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.changed_data}

    def fieldsets(self) -> list[dict[str, Any]]:
        """The fields in groups, each shown in a fieldset with its legend."""
        return [
            {"legend": legend, "fields": [self[name] for name in names if name in self.fields]}
            for legend, names in CONTACT_GROUPS
            if any(name in self.fields for name in names)
        ]


class MoveCollegeForm(GuardedForm):
    college = forms.ModelChoiceField(
        label=_("New college"), queryset=College.objects.none(), empty_label=None
    )
    effective_on = forms.DateField(
        label=_("From"),
        widget=DATE_WIDGET,
        help_text=_("The date the member votes in the new college from."),
    )
    decision_ref = forms.CharField(
        label=_("Decision reference"),
        max_length=200,
        help_text=_("The decision of the board or the member's request, e.g. “CA 2025-06”."),
    )

    def __init__(self, *args: Any, member: Member, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["college"].queryset = College.objects.exclude(pk=member.college_id).order_by(
            "position", "name"
        )
        # The college of the member's category is proposed when the member is not in it.
        category = member.category
        if category is not None and category.default_college_id not in (None, member.college_id):
            self.fields["college"].initial = category.default_college_id
            self.fields["college"].help_text = _(
                "The college of the category “%(category)s” is proposed."
            ) % {"category": category.name}


EXIT_KINDS = [
    (Member.Status.RESIGNED.value, _("Resignation")),
    (Member.Status.EXCLUDED.value, _("Exclusion")),
    (Member.Status.DECEASED.value, _("Death")),
    (Member.Status.LOST_QUALITY.value, _("Loss of the quality of member")),
]


class ExitForm(GuardedForm):
    status = forms.ChoiceField(
        label=_("How the member leaves"), choices=EXIT_KINDS, widget=forms.RadioSelect
    )
    exited_on = forms.DateField(label=_("Date of the exit"), widget=DATE_WIDGET)
    decision_ref = forms.CharField(
        label=_("Reference of the exit"),
        max_length=200,
        help_text=_(
            "The resignation letter, the resolution of the extraordinary assembly that "
            "excluded the member, the death certificate, or the decision noting the loss of "
            "quality."
        ),
    )
    member_heard = forms.BooleanField(
        label=_("The member was told of the grounds and could answer"),
        required=False,
        help_text=_("Required for an exclusion, before the extraordinary assembly decided."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("status") == Member.Status.EXCLUDED and not cleaned.get("member_heard"):
            self.add_error(
                "member_heard",
                _(
                    "An exclusion is decided by an extraordinary assembly after the member was "
                    "told of the grounds and could answer: confirm that they could."
                ),
            )
        return cleaned


class CollegeRowForm(GuardedForm):
    """One college of the configuration."""

    code = forms.SlugField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=120)
    weight = forms.DecimalField(
        label=_("Weight (%)"),
        max_digits=5,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=Decimal(100),
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    position = forms.IntegerField(label=_("Order"), min_value=0, max_value=32767, initial=0)


class BaseCollegeFormSet(forms.BaseFormSet):
    """The colleges as a whole: RULES 7 is checked on the set (the service checks again)."""

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this college")

    def kept_forms(self) -> list[forms.Form]:
        return [
            form
            for form in self.forms
            if form.has_changed() and not (self.can_delete and form.cleaned_data.get("DELETE"))
        ]

    def drafts(self) -> list[CollegeDraft]:
        return [
            CollegeDraft(
                code=form.cleaned_data["code"],
                name=form.cleaned_data["name"],
                weight=form.cleaned_data["weight"],
                position=form.cleaned_data["position"],
            )
            for form in self.kept_forms()
        ]

    def clean(self) -> None:
        if any(self.errors):
            return
        try:
            colleges_validate(self.drafts())
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc
        except DomainError as exc:
            raise ValidationError(str(exc)) from exc

    def add_refusal(self, message: str) -> None:
        """Show a refusal of the service with the set's own errors."""
        self.non_form_errors().append(message)


def college_formset(*, extra: int = 1) -> type[BaseCollegeFormSet]:
    return forms.formset_factory(
        CollegeRowForm, formset=BaseCollegeFormSet, extra=extra, can_delete=True
    )


COLLEGE_ROW_FIELDS = ("code", "name", "weight", "position")


def college_rows_posted(data: Any, *, prefix: str = "form") -> tuple[list[dict[str, str]], int]:
    """The rows typed in a posted configuration, as initial values, and how many were blank:
    "Add a row" shows them again, unchecked, with one more blank row."""
    try:
        total = int(data.get(f"{prefix}-TOTAL_FORMS", 0))
    except ValueError:
        total = 0
    rows: list[dict[str, str]] = []
    blank = 0
    for index in range(min(total, 100)):
        row = {
            name: data.get(f"{prefix}-{index}-{name}", "").strip() for name in COLLEGE_ROW_FIELDS
        }
        if data.get(f"{prefix}-{index}-DELETE"):
            continue
        if any(row[name] for name in ("code", "name", "weight")):
            rows.append(row)
        else:
            blank += 1
    return rows, blank


class CategoryForm(GuardedModelForm):
    class Meta:
        model = Category
        fields = (
            "code",
            "name",
            "compulsory",
            "is_public_body",
            "minimum_shares",
            "default_college",
            "position",
            "active",
        )
        help_texts = {
            "code": _(
                "Letters, digits, hyphens or underscores; used in exports and imports. It cannot "
                "change once the category has members."
            ),
            "minimum_shares": _("The fewest shares a member of this category subscribes."),
            "default_college": _(
                "The college proposed when a member of this category is admitted."
            ),
            "active": _("Applicants can choose this category on the application form."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["minimum_shares"].min_value = 1
        self.fields["minimum_shares"].validators.append(MinValueValidator(1))
        self.fields["minimum_shares"].widget.attrs["min"] = 1
        self.fields["default_college"].queryset = College.objects.order_by("position", "name")

    def data_for_service(self) -> CategoryData:
        return CategoryData(**{name: self.cleaned_data[name] for name in self.Meta.fields})
