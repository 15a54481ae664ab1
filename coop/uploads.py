"""Uploads: the size of a request, and images checked and re-encoded before they are kept
(issue 15). The limits are settings (coop/settings/base.py, "Uploads").

- `RequestSizeMiddleware` answers 413 with a page in the visitor's language when a request
  announces a body larger than the project accepts, before anything reads it: a form with
  files up to UPLOAD_MAX_REQUEST_BYTES, any other body up to DATA_UPLOAD_MAX_MEMORY_SIZE.
- `image_clean` reads an upload as an image (the content, not the name): at most
  IMAGE_MAX_BYTES and IMAGE_MAX_PIXELS, a JPEG, PNG or WebP that Pillow can verify and
  decode; then draws it again into a new file, turned as its EXIF orientation says, without
  its metadata (EXIF with GPS positions, XMP, comments). Only the new file is stored.
"""

import io
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from coop.errors import DomainError

#: Pillow's name of a format, the extension and the options of the file written again.
IMAGE_FORMATS: dict[str, tuple[str, dict[str, object]]] = {
    "JPEG": (".jpg", {"quality": 88, "optimize": True}),
    "PNG": (".png", {"optimize": True}),
    "WEBP": (".webp", {"quality": 88}),
}


class ImageRefused(DomainError):
    """An upload that is not an image the project keeps, with the reason in words."""


def configure_pillow() -> None:
    """Pillow's decompression-bomb guard at the project's limit (it warns above the limit and
    refuses above twice the limit, wherever an image is opened); `image_clean` refuses above
    the limit itself, with a message."""
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = settings.IMAGE_MAX_PIXELS


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1_000_000:.0f}"


def image_clean(upload: UploadedFile) -> ContentFile:
    """The upload as a new image file without metadata, or `ImageRefused` saying why."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if upload.size is not None and upload.size > settings.IMAGE_MAX_BYTES:
        raise ImageRefused(
            _("The image is %(size)s: at most %(limit)s are accepted.")
            % {
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(settings.IMAGE_MAX_BYTES),
            },
            code="image_too_big",
        )
    not_image = ImageRefused(
        _("This file is not an image we can show: send a JPEG, PNG or WebP image."),
        code="not_image",
    )
    try:
        upload.seek(0)
        with Image.open(upload) as picture:
            kind = picture.format
            width, height = picture.size
            if kind not in IMAGE_FORMATS:
                raise ImageRefused(_("Send a JPEG, PNG or WebP image."), code="image_format")
            if width * height > settings.IMAGE_MAX_PIXELS:
                raise ImageRefused(
                    _(
                        "The image is %(width)s by %(height)s pixels (%(megapixels)s megapixels): "
                        "at most %(limit)s megapixels are accepted. Make it smaller and send it "
                        "again."
                    )
                    % {
                        "width": width,
                        "height": height,
                        "megapixels": _megapixels(width * height),
                        "limit": _megapixels(settings.IMAGE_MAX_PIXELS),
                    },
                    code="image_too_many_pixels",
                )
            picture.verify()
        upload.seek(0)
        with Image.open(upload) as picture:
            picture.load()
            upright = ImageOps.exif_transpose(picture)
            icc_profile = picture.info.get("icc_profile")
    except ImageRefused:
        raise
    except Image.DecompressionBombError as exc:
        # Pillow refuses to open it at all (more than twice the limit): no size to show.
        raise ImageRefused(
            _(
                "The image has more than %(limit)s megapixels: at most %(limit)s megapixels are "
                "accepted. Make it smaller and send it again."
            )
            % {"limit": _megapixels(settings.IMAGE_MAX_PIXELS)},
            code="image_too_many_pixels",
        ) from exc
    except UnidentifiedImageError as exc:
        raise not_image from exc
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError) as exc:
        raise not_image from exc
    finally:
        upload.seek(0)
    extension, options = IMAGE_FORMATS[kind]
    if kind == "JPEG" and upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGB")
    elif kind != "JPEG" and upright.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        upright = upright.convert("RGBA")
    buffer = io.BytesIO()
    extra = {"icc_profile": icc_profile} if icc_profile else {}
    upright.save(buffer, kind, **options, **extra)  # no exif=, no pnginfo=: no metadata
    stem = Path(upload.name or "image").stem[:80] or "image"
    return ContentFile(buffer.getvalue(), name=stem + extension)


class RequestSizeMiddleware:
    """Refuse a request whose announced body is larger than the project accepts (413)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        multipart = request.META.get("CONTENT_TYPE", "").startswith("multipart/")
        limit = (
            settings.UPLOAD_MAX_REQUEST_BYTES if multipart else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        )
        if limit is not None and length > limit:
            return render(
                request,
                "coop/request_too_big.html",
                {"limit": limit, "size": length},
                status=413,
            )
        return self.get_response(request)
