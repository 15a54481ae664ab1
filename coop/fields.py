"""Form fields shared by every app, for input that must never reach the database or a
computation unchecked (issue 15): an image checked and re-encoded on upload."""

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

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
