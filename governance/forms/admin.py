"""Forms of the assemblies' desk (administrators): an assembly's details, an agenda item, a
resolution, a cancellation, a second convocation, the filter of the proof of sending."""

import datetime as dt
import zoneinfo
from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from coop.fields import GuardedForm
from coop.models import NoticeDelivery
from governance.models import AgendaItem, Assembly

PARIS = zoneinfo.ZoneInfo(settings.TIME_ZONE)
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def _combine(day: dt.date | None, time: dt.time | None) -> dt.datetime | None:
    if day is None or time is None:
        return None
    return dt.datetime.combine(day, time, tzinfo=PARIS)


class AssemblyForm(GuardedForm):
    """A draft's details; the meeting's date and time are in Paris time."""

    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind of assembly"),
        choices=Assembly.Kind.choices,
        initial=Assembly.Kind.ORDINARY,
        widget=forms.RadioSelect,
    )
    day = forms.DateField(label=_("Date of the meeting"), widget=DATE_WIDGET)
    time = forms.TimeField(
        label=_("Time of the meeting (Paris time)"), widget=TIME_WIDGET, initial=dt.time(18, 0)
    )
    place = forms.CharField(
        label=_("Place"),
        max_length=300,
        required=False,
        help_text=_("Address of the meeting room. Leave empty for an assembly held online only."),
    )
    online_access = forms.CharField(
        label=_("Online access"),
        max_length=500,
        required=False,
        help_text=_("Address of the video meeting, or how to join online. Leave empty if none."),
    )
    deadline_day = forms.DateField(
        label=_("Distance votes accepted until (date)"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("Leave both empty for the statutes' default."),
    )
    deadline_time = forms.TimeField(
        label=_("Distance votes accepted until (time, Paris)"),
        required=False,
        widget=TIME_WIDGET,
    )

    @classmethod
    def for_assembly(
        cls, assembly: Assembly, *, default_deadline: dt.datetime | None = None
    ) -> "AssemblyForm":
        """The form of a draft. A deadline that is the statutes' default is left empty, so that
        it follows the meeting when its date changes."""
        starts = assembly.starts_at.astimezone(PARIS)
        initial: dict[str, Any] = {
            "title": assembly.title,
            "kind": assembly.kind,
            "day": starts.date(),
            "time": starts.time(),
            "place": assembly.place,
            "online_access": assembly.online_access,
        }
        if assembly.distance_vote_deadline != default_deadline:
            deadline = assembly.distance_vote_deadline.astimezone(PARIS)
            initial.update(deadline_day=deadline.date(), deadline_time=deadline.time())
        return cls(initial=initial)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if (
            not (cleaned.get("place") or "").strip()
            and not (cleaned.get("online_access") or "").strip()
        ):
            self.add_error(
                "place", _("Give the place of the meeting, how to join it online, or both.")
            )
        day, time = cleaned.get("deadline_day"), cleaned.get("deadline_time")
        if (day is None) != (time is None) and "deadline_day" not in self.errors:
            self.add_error(
                "deadline_day" if day is None else "deadline_time",
                _("Give both the date and the time of the deadline, or neither."),
            )
        starts_at = _combine(cleaned.get("day"), cleaned.get("time"))
        deadline = _combine(day, time)
        if starts_at and deadline and deadline > starts_at:
            self.add_error(
                "deadline_day",
                _("The deadline for distance votes must be before the meeting starts."),
            )
        return cleaned

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "kind": data["kind"],
            "starts_at": _combine(data["day"], data["time"]),
            "place": data["place"],
            "online_access": data["online_access"],
            "distance_vote_deadline": _combine(data["deadline_day"], data["deadline_time"]),
        }


class AgendaItemForm(GuardedForm):
    title = forms.CharField(label=_("Title of the item"), max_length=300)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional: what will be presented or discussed."),
    )


class AgendaItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: AgendaItem) -> str:
        return f"{obj.position}. {obj.title}"


class ResolutionForm(GuardedForm):
    agenda_item = AgendaItemChoiceField(
        label=_("Agenda item"), queryset=AgendaItem.objects.none(), empty_label=None
    )
    title = forms.CharField(label=_("Title of the resolution"), max_length=300)
    text = forms.CharField(
        label=_("Full text of the resolution"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("The text members vote on, as the convocation will state it."),
    )
    majority_kind = forms.ChoiceField(
        label=_("Majority required"), choices=(), widget=forms.RadioSelect
    )
    # RULES 34: a blank proxy votes for what the board approves, against the rest.
    board_approves = forms.TypedChoiceField(
        label=_("The board's position"),
        choices=[
            ("approve", _("The board recommends adopting it")),
            ("reject", _("The board does not recommend adopting it")),
        ],
        coerce=lambda value: value == "approve",
        widget=forms.RadioSelect,
        help_text=_(
            "Shown on the agenda and the ballot. A blank proxy (a signed form that names no "
            "holder) votes for the resolutions the board recommends and against the others."
        ),
        error_messages={"required": _("Say whether the board recommends this resolution.")},
    )

    @staticmethod
    def position_initial(board_approves: bool | None) -> str | None:
        """The field's value for a stored position (None: never stated)."""
        return {True: "approve", False: "reject"}.get(board_approves)  # type: ignore[arg-type]

    def __init__(
        self, *args: Any, assembly: Assembly, majorities: dict[str, str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        item_field = cast("forms.ModelChoiceField", self.fields["agenda_item"])
        item_field.queryset = AgendaItem.objects.filter(assembly=assembly).order_by("position")
        self.fields["majority_kind"].choices = [
            (value, f"{label} — {majorities[value]}" if value in majorities else label)
            for value, label in Assembly.Kind.choices
        ]
        self.fields["majority_kind"].initial = assembly.kind


class CancelForm(GuardedForm):
    reason = forms.CharField(
        label=_("Reason for the cancellation"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Every member on the roll receives it with the notice of cancellation."),
    )


class SecondConvocationForm(GuardedForm):
    day = forms.DateField(label=_("Date of the second meeting"), widget=DATE_WIDGET)
    time = forms.TimeField(
        label=_("Time of the second meeting (Paris time)"),
        widget=TIME_WIDGET,
        initial=dt.time(18, 0),
    )

    def starts_at(self) -> dt.datetime:
        return dt.datetime.combine(
            self.cleaned_data["day"], self.cleaned_data["time"], tzinfo=PARIS
        )


class ProofFilterForm(GuardedForm):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Every status")), *NoticeDelivery.Status.choices],
    )
