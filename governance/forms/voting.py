"""The ballot (one choice per resolution, for oneself and the principals) and the vote's
administration forms."""

from collections.abc import Sequence

from django import forms
from django.utils.translation import gettext_lazy as _

from coop.fields import GuardedForm
from governance.models import Assembly, AssemblyCollege, Ballot, Resolution
from governance.selectors.room_counts import colleges_counted
from governance.selectors.voting import Voice
from governance.services.room_counts import REASON_MAX_LENGTH

ABSTAIN_HELP = _("Abstaining is not a vote expressed: it counts neither for nor against.")


def resolution_field_name(resolution: Resolution) -> str:
    return f"resolution_{resolution.pk}"


class BallotForm(GuardedForm):
    voices = forms.TypedMultipleChoiceField(
        label=_("Cast this vote for"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose for whom you cast this vote.")},
    )

    def __init__(
        self,
        *args: object,
        resolutions: Sequence[Resolution],
        voices: Sequence[Voice],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.resolutions = list(resolutions)
        field = self.fields["voices"]
        field.choices = [
            (
                voice.entry.pk,
                _("myself")
                if voice.is_self
                else _("%(name)s (proxy)") % {"name": voice.entry.name},
            )
            for voice in voices
        ]
        field.initial = [voice.entry.pk for voice in voices]
        for resolution in self.resolutions:
            self.fields[resolution_field_name(resolution)] = forms.ChoiceField(
                label=_("Resolution %(number)s: %(title)s")
                % {"number": resolution.number, "title": resolution.title},
                choices=Ballot.Choice.choices,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Choose for, against or abstain on resolution %(number)s.")
                    % {"number": resolution.number}
                },
            )

    def resolution_fields(self) -> list[tuple[Resolution, forms.BoundField]]:
        return [(r, self[resolution_field_name(r)]) for r in self.resolutions]

    def choices(self) -> dict[int, str]:
        return {r.pk: self.cleaned_data[resolution_field_name(r)] for r in self.resolutions}

    def choice_labels(self) -> list[tuple[Resolution, str]]:
        labels = dict(Ballot.Choice.choices)
        return [(r, labels[self.cleaned_data[resolution_field_name(r)]]) for r in self.resolutions]


class ReceiptForm(GuardedForm):
    code = forms.CharField(
        label=_("Your receipt"),
        max_length=60,
        help_text=_("As shown when you voted and in the e-mail, for example ABCDE-FGHJK-…"),
    )


class RoomCountForm(GuardedForm):
    """Votes counted in the room for one resolution and one college."""

    resolution = forms.ModelChoiceField(label=_("Resolution"), queryset=Resolution.objects.none())
    college = forms.ModelChoiceField(
        label=_("College"), queryset=AssemblyCollege.objects.none(), required=False
    )
    votes_for = forms.IntegerField(label=_("For"), min_value=0)
    votes_against = forms.IntegerField(label=_("Against"), min_value=0)
    abstentions = forms.IntegerField(label=_("Abstentions"), min_value=0)

    def __init__(self, *args: object, assembly: Assembly, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resolution"].queryset = Resolution.objects.filter(assembly=assembly).order_by(
            "number"
        )
        colleges = colleges_counted(assembly)
        if colleges:
            self.fields["college"].queryset = AssemblyCollege.objects.filter(
                pk__in=[c.pk for c in colleges]
            ).order_by("position", "name")
            self.fields["college"].required = True
        else:  # one count for the whole room
            del self.fields["college"]

    def clean(self) -> dict[str, object]:
        data = super().clean()
        data.setdefault("college", None)
        return data


class RoomCountCorrectForm(GuardedForm):
    """A recorded count of the room, corrected before the tally, with the reason."""

    votes_for = forms.IntegerField(label=_("For"), min_value=0)
    votes_against = forms.IntegerField(label=_("Against"), min_value=0)
    abstentions = forms.IntegerField(label=_("Abstentions"), min_value=0)
    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept with the count and shown in the results and the minutes."),
        error_messages={"required": _("Give the reason for the correction.")},
    )


class MinutesForm(GuardedForm):
    debate_summary = forms.CharField(
        label=_("Summary of the debates"),
        widget=forms.Textarea(attrs={"rows": 12}),
        required=False,
        help_text=_("What was said on each item of the agenda, as the bureau approves it."),
    )
    documents_presented = forms.CharField(
        label=_("Documents presented to the assembly"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("For example: the annual accounts, the board's report, the auditor's report."),
    )


class RecastForm(BallotForm):
    """Changing a vote: the new choices, for one voice at a time, and that vote's receipt."""

    previous_receipt = forms.CharField(
        label=_("Receipt of the vote you are changing"),
        max_length=60,
        help_text=_("The cooperative does not know which ballot is yours: the receipt proves it."),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["voices"].label = _("Change the vote of")

    def clean_voices(self) -> list[int]:
        voices = self.cleaned_data["voices"]
        if len(voices) != 1:
            raise forms.ValidationError(_("Change one vote at a time, with its own receipt."))
        return voices
