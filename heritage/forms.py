"""Forms of the heritage pages."""

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from coop.fields import GuardedForm, ImageUploadField, image_help_text
from heritage.models import Gathering, HeritageCommunity, HeritageItem, ItemImage, Walk
from heritage.services import GatheringData
from heritage.services.items import ItemData

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _datetime_widget() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class GatheringFilterForm(GuardedForm):
    community = forms.ModelChoiceField(
        label=_("Community"),
        queryset=HeritageCommunity.objects.order_by("name", "id"),
        required=False,
        empty_label=_("All communities"),
        to_field_name="slug",
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE_WIDGET)
    date_to = forms.DateField(label=_("Until"), required=False, widget=DATE_WIDGET)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end of the period comes before its start."))
        return data

    def filters(self) -> dict[str, Any]:
        if not self.is_bound or not self.is_valid():
            return {"community": None, "date_from": None, "date_to": None}
        return {name: self.cleaned_data.get(name) for name in ("community", "date_from", "date_to")}


class GuestRegistrationForm(GuardedForm):
    name = forms.CharField(
        label=_("Your name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_("We send you a link to confirm your registration."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class JoinForm(GuardedForm):
    notify = forms.BooleanField(
        label=_("Tell me by e-mail when the community publishes a gathering"), required=False
    )


class ParticipantForm(JoinForm):
    name = forms.CharField(
        label=_("Your name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_("We send you a link to confirm it."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    field_order = ["name", "email", "notify"]


class GatheringForm(GuardedForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Gathering.Kind.choices)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=_datetime_widget())
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=_datetime_widget())
    place = forms.CharField(
        label=_("Place"),
        max_length=300,
        help_text=_("An address or a meeting point that people can find."),
    )
    capacity = forms.IntegerField(label=_("Capacity (seats)"), min_value=1)
    accessibility = forms.CharField(
        label=_("Accessibility"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=Gathering._meta.get_field("accessibility").help_text,
    )
    visibility = forms.ChoiceField(
        label=_("Who can see it"),
        choices=Gathering.Visibility.choices,
        widget=forms.RadioSelect,
    )
    registration_deadline = forms.DateTimeField(
        label=_("Registrations close at"),
        required=False,
        widget=_datetime_widget(),
        help_text=Gathering._meta.get_field("registration_deadline").help_text,
    )
    walk = forms.ModelChoiceField(
        label=_("Walk"),
        queryset=Walk.objects.none(),
        required=False,
        empty_label=_("No walk"),
        help_text=_("The itinerary through the community's heritage items, if any."),
    )

    def __init__(self, *args: Any, community: HeritageCommunity, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["walk"].queryset = Walk.objects.filter(community=community).order_by("title")

    @classmethod
    def initial_from(cls, gathering: Gathering) -> dict[str, Any]:
        values = {name: getattr(gathering, name) for name in cls.base_fields if name != "walk"}
        values["walk"] = gathering.walk_id
        return values

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("starts_at"), data.get("ends_at")
        if start and end and end <= start:
            self.add_error("ends_at", _("The gathering must end after it starts."))
        deadline = data.get("registration_deadline")
        if start and deadline and deadline > start:
            self.add_error(
                "registration_deadline", _("Registrations must close before the gathering starts.")
            )
        return data

    def data_object(self) -> GatheringData:
        return GatheringData(**{name: self.cleaned_data[name] for name in self.base_fields})


class CommunityForm(GuardedForm):
    name = forms.CharField(label=_("Name"), max_length=150)
    territory = forms.CharField(label=_("Territory"), max_length=200, required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    organisers = forms.CharField(
        label=_("Organisers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "The e-mail addresses of the people who organise the community's gatherings, one "
            "per line. Each needs a login account."
        ),
    )

    def clean_organisers(self) -> list[Any]:
        text: str = self.cleaned_data["organisers"]
        emails = [line.strip().lower() for line in text.replace(",", "\n").splitlines()]
        emails = list(dict.fromkeys(e for e in emails if e))
        users = {u.email.lower(): u for u in get_user_model().objects.filter(email__in=emails)}
        unknown = [e for e in emails if e not in users]
        if unknown:
            raise forms.ValidationError(
                _("No login account has the address %(emails)s.") % {"emails": ", ".join(unknown)}
            )
        return [users[e] for e in emails]


ITEM_FIELDS = ("kind", "title", "description", "latitude", "longitude")


class ItemForm(GuardedForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=HeritageItem.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea)
    latitude = forms.DecimalField(
        label=_("Latitude"),
        required=False,
        max_digits=8,
        decimal_places=6,
        min_value=-90,
        max_value=90,
        help_text=_("In decimal degrees, e.g. 45.767300 (optional)."),
    )
    longitude = forms.DecimalField(
        label=_("Longitude"),
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
        help_text=_("In decimal degrees, e.g. 4.834200 (optional)."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (data.get("latitude") is None) != (data.get("longitude") is None) and not self.errors:
            raise forms.ValidationError(_("Give both the latitude and the longitude, or neither."))
        return data

    def data_object(self) -> ItemData:
        return ItemData(**{name: self.cleaned_data[name] for name in ITEM_FIELDS})

    @classmethod
    def initial_from(cls, item: HeritageItem) -> dict[str, Any]:
        return {name: getattr(item, name) for name in ITEM_FIELDS}


class ConsentForm(GuardedForm):
    consent = forms.BooleanField(
        label=_("The contributor agrees to the publication of this text on the site"),
        help_text=_("Nothing is published without the consent of the person who contributed it."),
    )


class ItemCreateForm(ItemForm, ConsentForm):
    field_order = [*ITEM_FIELDS, "consent"]


class ImageForm(GuardedForm):
    image = ImageUploadField(label=_("Image"))
    alt_text = forms.CharField(
        label=_("What the image shows"),
        max_length=300,
        help_text=_("A short description for people who cannot see it."),
    )
    author = forms.CharField(label=_("Author of the image"), max_length=200)
    licence = forms.ChoiceField(label=_("Licence"), choices=ItemImage.Licence.choices)
    consent = forms.BooleanField(
        label=_("The contributor agrees to the publication of this image on the site"),
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["image"].help_text = image_help_text()


class WalkForm(GuardedForm):
    """A walk: its title and description, and the order of the community's items in it (a
    number per item; items without a number are not part of the walk)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)

    def __init__(
        self,
        *args: Any,
        items: list[HeritageItem],
        positions: dict[int, int] | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[f"stop_{item.pk}"] = forms.IntegerField(
                label=item.title,
                required=False,
                min_value=1,
                initial=(positions or {}).get(item.pk),
            )

    def stop_fields(self) -> list[forms.BoundField]:
        return [self[f"stop_{item.pk}"] for item in self.items]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        numbers = [data.get(f"stop_{item.pk}") for item in self.items]
        given = [n for n in numbers if n is not None]
        if not given and not self.errors:
            raise forms.ValidationError(_("Give a number to at least one item."))
        if len(set(given)) != len(given):
            raise forms.ValidationError(_("Two items have the same number."))
        return data

    def ordered_items(self) -> list[HeritageItem]:
        numbered = [
            (self.cleaned_data[f"stop_{item.pk}"], item)
            for item in self.items
            if self.cleaned_data.get(f"stop_{item.pk}") is not None
        ]
        return [item for _number, item in sorted(numbered, key=lambda pair: pair[0])]
