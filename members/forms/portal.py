"""Forms of the member's own pages: contact details and consent to e-mail notices."""

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from coop import formatting
from coop.fields import GuardedForm
from members.models import Member
from members.services import SELF_EDITABLE_FIELDS

# What a member edits, by kind of person (all within SELF_EDITABLE_FIELDS).
NATURAL_FIELDS = ("first_name", "last_name")
LEGAL_FIELDS = ("representative_name", "representative_role")
COMMON_FIELDS = (
    "email",
    "phone",
    "address",
    "postal_code",
    "city",
    "country",
    "language",
    "large_type",
)
# The purpose of each input, for browsers and assistive technologies (WCAG 1.3.5).
AUTOCOMPLETE = {
    "first_name": "given-name",
    "last_name": "family-name",
    "representative_name": "name",
    "representative_role": "organization-title",
    "email": "email",
    "phone": "tel",
    "address": "street-address",
    "postal_code": "postal-code",
    "city": "address-level2",
    "country": "country-name",
}


def editable_fields(member: Member) -> tuple[str, ...]:
    specific = LEGAL_FIELDS if member.person_kind == Member.PersonKind.LEGAL else NATURAL_FIELDS
    return tuple(name for name in (*specific, *COMMON_FIELDS) if name in SELF_EDITABLE_FIELDS)


class MemberContactForm(GuardedForm):
    """A member's own contact details; the fields depend on the kind of person."""

    def __init__(self, *args: Any, member: Member, **kwargs: Any):
        self.member = member
        names = editable_fields(member)
        kwargs.setdefault("initial", {name: getattr(member, name) for name in names})
        super().__init__(*args, **kwargs)
        self.fields.update(forms.fields_for_model(Member, fields=names))
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("autocomplete", AUTOCOMPLETE.get(name, "off"))
        if "phone" in self.fields:
            self.fields["phone"].widget.input_type = "tel"
        if "language" in self.fields:
            self.fields["language"] = forms.ChoiceField(
                label=_("Language of the cooperative's letters and e-mails"),
                choices=[(code, name) for code, name in settings.LANGUAGES],
            )
        if "large_type" in self.fields:
            self.fields["large_type"].label = _("Print the letters I receive by post in large type")
            self.fields["large_type"].help_text = _(
                "A larger font, on the same A4 paper: convocations, voting forms and other letters."
            )
        if "last_name" in self.fields:
            self.fields["last_name"].required = True
        if "representative_name" in self.fields:
            self.fields["representative_name"].required = True
        self.fields["email"].help_text = _(
            "Where the cooperative writes to you. The address you sign in with is changed "
            "under “My account”."
        )

    def fieldsets(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The fields in groups, each shown in a fieldset under its legend."""
        if self.member.person_kind == Member.PersonKind.LEGAL:
            who = formatting.interpolate(
                _("Representative of %(name)s"), {"name": self.member.legal_name}
            )
        else:
            who = _("Your name")
        groups = [
            (who, (*NATURAL_FIELDS, *LEGAL_FIELDS)),
            (_("How to reach you"), ("email", "phone", "language")),
            (_("Postal address"), ("address", "postal_code", "city", "country", "large_type")),
        ]
        return [
            (str(legend), [self[name] for name in names if name in self.fields])
            for legend, names in groups
        ]


class ENoticesForm(GuardedForm):
    consent = forms.BooleanField(
        label=_("I agree to receive the cooperative's notices (convocations included) by e-mail"),
        required=False,
        help_text=_(
            "Without this consent, notices are sent to you by post. You can change your mind "
            "at any time."
        ),
    )
