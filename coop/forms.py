"""Forms of the cooperative's administrative pages: a new statutes version, the audit filter."""

from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from coop.errors import DomainError
from coop.fields import GuardedForm, GuardedModelForm
from coop.models import Statutes
from coop.statutes import PARAMETER_FIELDS, statutes_check_effective_from, statutes_validate


@dataclass(frozen=True)
class Group:
    """Some parameters shown together, under a title when the section has several groups."""

    title: Promise | None
    fields: tuple[str, ...]


@dataclass(frozen=True)
class Section:
    key: str
    title: Promise
    groups: tuple[Group, ...]

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(name for group in self.groups for name in group.fields)


#: How the parameters are grouped on the form and on a version's page.
STATUTES_SECTIONS: tuple[Section, ...] = (
    Section(
        "identity",
        _("Identity"),
        (
            Group(
                None,
                (
                    "name",
                    "legal_form",
                    "registered_office",
                    "registration",
                    "financial_year_end_month",
                    "financial_year_end_day",
                ),
            ),
        ),
    ),
    Section("members", _("Members"), (Group(None, ("admission_body",)),)),
    Section(
        "colleges", _("Colleges"), (Group(None, ("colleges_enabled", "empty_college_policy")),)
    ),
    Section(
        "assemblies",
        _("General assemblies"),
        (
            Group(_("Notice"), ("notice_days_first", "notice_days_second")),
            Group(
                _("Quorum"),
                (
                    "quorum_ordinary_first",
                    "quorum_ordinary_second",
                    "quorum_extraordinary_first",
                    "quorum_extraordinary_second",
                ),
            ),
            Group(
                _("Majority"),
                (
                    "majority_ordinary",
                    "majority_ordinary_strict",
                    "majority_extraordinary",
                    "majority_extraordinary_strict",
                ),
            ),
            Group(
                _("Proxies"),
                (
                    "proxy_small_roll_threshold",
                    "proxy_limit_small_roll",
                    "proxy_limit_fraction",
                    "proxy_limit_minimum",
                ),
            ),
            Group(
                _("Voting"),
                (
                    "distance_vote_days_before",
                    "distance_vote_closing_time",
                    "meeting_early_opening_minutes",
                    "written_questions_business_days",
                    "revote_allowed",
                ),
            ),
        ),
    ),
    Section(
        "capital",
        _("Share capital"),
        (
            Group(
                None,
                (
                    "nominal_share_value",
                    "minimum_shares",
                    "paying_up_minimum",
                    "paying_up_delay_years",
                    "capital_floor",
                    "repayment_delay_years",
                    "transfer_approval_body",
                    "public_bodies_capital_cap",
                ),
            ),
        ),
    ),
    Section(
        "personal_data",
        _("Personal data"),
        (Group(None, ("retention_years_after_exit", "accounting_retention_years")),),
    ),
)

# Help for the fractions: each says what it is a share of, with an example.
FRACTION_HELP = {
    "quorum_ordinary_first": _(
        "Share of the members on the roll who must take part, e.g. 1/5; 0 for no quorum."
    ),
    "quorum_ordinary_second": _(
        "Share of the members on the roll who must take part, e.g. 1/5; 0 for no quorum."
    ),
    "quorum_extraordinary_first": _(
        "Share of the members on the roll who must take part, e.g. 1/4; 0 for no quorum."
    ),
    "quorum_extraordinary_second": _(
        "Share of the members on the roll who must take part, e.g. 1/5; 0 for no quorum."
    ),
    "majority_ordinary": _("Share of the votes expressed, e.g. 1/2 (strictly exceeded)."),
    "majority_extraordinary": _("Share of the votes expressed, e.g. 2/3."),
    "proxy_limit_fraction": _("Share of the roll, rounded down, e.g. 1/20."),
    "paying_up_minimum": _("Share of each subscription, at least 1/4, e.g. 1/4."),
    "capital_floor": _("Share of the highest capital ever reached, at least 1/4, e.g. 1/4."),
    "public_bodies_capital_cap": _("Share of the capital, at most 1/2, e.g. 1/2."),
}


class StatutesForm(GuardedModelForm):
    """A new version of the statutes: its effective date, the decision, every parameter.

    The rules are those of coop.statutes.statutes_validate, which the service applies again.
    """

    class Meta:
        model = Statutes
        fields = ("effective_from", *PARAMETER_FIELDS)
        widgets = {
            "effective_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "distance_vote_closing_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }
        help_texts = {
            "effective_from": _("The date this version takes effect, after the latest one's."),
            **FRACTION_HELP,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in Statutes.FRACTION_FIELDS:
            self.fields[name].widget = forms.TextInput(
                attrs={"autocomplete": "off", "spellcheck": "false", "size": 8, "maxlength": 15}
            )

    def clean_effective_from(self) -> Any:
        effective_from = self.cleaned_data["effective_from"]
        try:
            statutes_check_effective_from(effective_from)
        except DomainError as exc:
            raise ValidationError(exc.message, code=exc.code) from exc
        return effective_from

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        try:
            statutes_validate(cleaned)
        except ValidationError as exc:
            self.add_error(None, exc)
        return self.cleaned_data

    def parameter_values(self) -> dict[str, Any]:
        """The decision reference and parameters, as the service takes them."""
        return {name: self.cleaned_data[name] for name in PARAMETER_FIELDS}

    def sections(self) -> list[dict[str, Any]]:
        """The bound fields grouped as on the page, for the template."""
        return [
            {
                "key": section.key,
                "title": section.title,
                "groups": [
                    {"title": group.title, "fields": [self[name] for name in group.fields]}
                    for group in section.groups
                ],
            }
            for section in STATUTES_SECTIONS
        ]


class AuditFilterForm(GuardedForm):
    """Filters of the audit log, read from the query string."""

    action = forms.ChoiceField(label=_("Action"), required=False)
    actor = forms.CharField(
        label=_("Actor's e-mail address"),
        required=False,
        max_length=254,
        help_text=_("All or part of the address."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, actions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("All actions")), *actions]
