"""Form fields shared by every app, for input that must never reach the database or a
computation unchecked (issue 15): an image checked and re-encoded on upload."""

import datetime as dt
import re
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from coop.uploads import ImageRefused, image_clean


class ImageUploadField(forms.FileField):
    """An image: its content checked by Pillow (size in bytes and in pixels, format, a full
    decode), then re-encoded without metadata. `cleaned_data` holds the new file."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault(
            "widget",
            forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        )
        super().__init__(**kwargs)

    def to_python(self, data: Any) -> Any:
        upload = super().to_python(data)
        if upload is None:
            return None
        try:
            return image_clean(upload)
        except ImageRefused as exc:
            raise ValidationError(str(exc), code=exc.code or "invalid_image") from exc


def image_help_text() -> str:
    """What the image fields accept, from the settings."""
    from django.template.defaultfilters import filesizeformat
    from django.utils.translation import gettext

    return gettext("JPEG, PNG or WebP, at most %(size)s and %(megapixels)s megapixels.") % {
        "size": filesizeformat(settings.IMAGE_MAX_BYTES),
        "megapixels": f"{settings.IMAGE_MAX_PIXELS / 1_000_000:.0f}",
    }


# --- Bounds of what a form accepts --------------------------------------------------------------

#: PostgreSQL's `integer` (IntegerField, PositiveIntegerField): a number outside it cannot be
#: stored, and a computation on it (the next member number) would overflow.
INTEGER_MIN, INTEGER_MAX = -2_147_483_648, 2_147_483_647
#: Dates the cooperative's records can hold, far from the calendar's ends (year 1 and 9999),
#: where the day after or a year later no longer exists (OverflowError).
DATE_MIN, DATE_MAX = dt.date(1800, 1, 1), dt.date(2999, 12, 31)


def _date_bounds(value: dt.date | dt.datetime) -> None:
    day = value.date() if isinstance(value, dt.datetime) else value
    if not DATE_MIN <= day <= DATE_MAX:
        raise ValidationError(
            _("Give a date between %(first)s and %(last)s.")
            % {"first": date_format(DATE_MIN), "last": date_format(DATE_MAX)},
            code="date_out_of_range",
        )


def _integer_bounds(value: int | None) -> None:
    if value is not None and not INTEGER_MIN <= value <= INTEGER_MAX:
        raise ValidationError(
            _("This number is too large: give a number between %(min)s and %(max)s.")
            % {
                "min": number_format(INTEGER_MIN, force_grouping=True),
                "max": number_format(INTEGER_MAX, force_grouping=True),
            },
            code="integer_out_of_range",
        )


def guard_field(field: forms.Field) -> None:
    """Bound a form field to what the database and the computations after it can hold:
    integers to PostgreSQL's `integer`, dates far from the ends of the calendar. (NUL and
    other control characters in text are refused by `GuardedForm.full_clean`.)"""
    if isinstance(field, forms.IntegerField) and not isinstance(
        field, forms.FloatField | forms.DecimalField
    ):
        field.validators.append(_integer_bounds)
    elif isinstance(field, forms.DateField | forms.DateTimeField):
        field.validators.append(_date_bounds)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class GuardedFormMixin:
    """What every form of the project inherits (through GuardedForm, GuardedModelForm):
    bad input gets a form error, never a 500 (issue 15). Integers and dates are bounded
    (`guard_field`); a value with a NUL or another control character (tabs and line breaks
    apart) is refused in any field, whatever the field does with it after."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for each in self.fields.values():
            guard_field(each)

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        if not self.is_bound:  # type: ignore[attr-defined]
            return
        for name in self.fields:
            raw = self[name].data  # type: ignore[index]
            values = raw if isinstance(raw, list | tuple) else [raw]
            if any(isinstance(v, str) and _CONTROL.search(v) for v in values):
                self.add_error(  # type: ignore[attr-defined]
                    name,
                    ValidationError(
                        _(
                            "This contains an invisible control character (such as a NUL "
                            "byte) that cannot be stored: remove it and send again."
                        ),
                        code="control_character",
                    ),
                )


class GuardedForm(GuardedFormMixin, forms.Form):
    pass


class GuardedModelForm(GuardedFormMixin, forms.ModelForm):
    pass
