"""Images uploaded to a heritage item (issue 15): the content is checked, not the name; the
size in bytes and in pixels is bounded, with a clear message; the stored file is a new one,
without EXIF or GPS. A request larger than the project accepts is refused before it is read."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from heritage.models import ItemImage
from heritage.services.items import ItemData, item_create
from tests.heritage.factories import community, png_upload

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def item_url(client):
    canuts = community()
    item = item_create(
        community=canuts,
        data=ItemData(
            kind="place",
            title="Traboule",
            description="Un escalier.",
            latitude=Decimal("45.770500"),
            longitude=Decimal("4.833900"),
        ),
        consent=True,
        actor=canuts.organisers.get(),
    )
    client.force_login(canuts.organisers.get())
    return reverse("heritage:item_image_add", args=[item.pk])


def _post(client, url, upload):
    return client.post(
        url,
        {
            "image": upload,
            "alt_text": "L'escalier",
            "author": "Louise",
            "licence": "cc-by-4.0",
            "consent": "on",
        },
    )


def _jpeg_with_gps() -> bytes:
    picture = Image.new("RGB", (40, 30), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "Appareil de Louise"  # Make
    exif[0x0112] = 6  # Orientation: turned 90°
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (45.0, 46.0, 13.8), 3: "E", 4: (4.0, 50.0, 2.0)})
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", exif=exif)
    data = buffer.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)  # the test's premise
    return data


def test_a_jpeg_is_stored_without_its_exif_and_gps_and_upright(client, item_url):
    response = _post(client, item_url, SimpleUploadedFile("photo.jpg", _jpeg_with_gps()))
    assert response.status_code == 302
    stored = ItemImage.objects.get()
    with stored.image.open("rb") as handle, Image.open(handle) as picture:
        assert picture.format == "JPEG"
        exif = picture.getexif()
        assert not exif.get_ifd(GPS_IFD)
        assert 0x010F not in exif and 0x0112 not in exif
        assert "exif" not in picture.info
        assert picture.size == (30, 40)  # turned as its orientation said, before it was dropped


def test_a_96_megapixel_png_is_refused_with_a_clear_message(client, item_url):
    buffer = io.BytesIO()
    Image.new("1", (12_000, 8_000)).save(buffer, "PNG")  # small on disk, huge once decoded
    response = _post(client, item_url, SimpleUploadedFile("big.png", buffer.getvalue()))
    assert response.status_code == 400
    assert (
        "The image has more than 40 megapixels: at most 40 megapixels are accepted. Make it "
        "smaller and send it again." in response.content.decode()
    )
    assert not ItemImage.objects.exists()


def test_an_image_over_the_limit_is_refused_with_its_size(client, item_url):
    """Between the limit and twice the limit, Pillow opens it (with a warning): the message
    then gives its size."""
    buffer = io.BytesIO()
    Image.new("1", (8_000, 6_000)).save(buffer, "PNG")
    with pytest.warns(Image.DecompressionBombWarning):
        response = _post(client, item_url, SimpleUploadedFile("big.png", buffer.getvalue()))
    assert response.status_code == 400
    assert (
        "The image is 8000 by 6000 pixels (48 megapixels): at most 40 megapixels are "
        "accepted." in response.content.decode()
    )
    assert not ItemImage.objects.exists()


def test_pillow_guards_against_decompression_bombs_at_the_project_limit(settings):
    assert Image.MAX_IMAGE_PIXELS == settings.IMAGE_MAX_PIXELS == 40_000_000


def test_a_file_too_heavy_is_refused_with_its_size(client, item_url, settings):
    settings.IMAGE_MAX_BYTES = 1000
    buffer = io.BytesIO()
    Image.effect_noise((64, 64), 100).save(buffer, "PNG")
    response = _post(client, item_url, SimpleUploadedFile("noise.png", buffer.getvalue()))
    assert response.status_code == 400
    assert "at most 1000\xa0bytes are accepted" in response.content.decode()
    assert not ItemImage.objects.exists()


@pytest.mark.parametrize(
    "name, content",
    [
        ("script.png", b"<script>alert(1)</script>"),
        ("cut.png", png_upload().read()[:60]),  # a real header, then nothing
        ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 100),
        ("anim.png", b"GIF89a" + b"\0" * 40),
    ],
)
def test_the_content_is_checked_not_the_name(client, item_url, name, content):
    response = _post(client, item_url, SimpleUploadedFile(name, content))
    assert response.status_code == 400
    assert "This file is not an image we can show" in response.content.decode()
    assert not ItemImage.objects.exists()


def test_a_gif_named_png_is_refused_for_its_format(client, item_url):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, "GIF")
    response = _post(client, item_url, SimpleUploadedFile("a.png", buffer.getvalue()))
    assert response.status_code == 400
    assert "Send a JPEG, PNG or WebP image." in response.content.decode()


def test_a_request_larger_than_the_limit_is_refused_before_it_is_read(client, item_url, settings):
    settings.UPLOAD_MAX_REQUEST_BYTES = 4096
    response = _post(client, item_url, SimpleUploadedFile("a.png", b"x" * 10_000))
    assert response.status_code == 413
    assert "at most 4.0\xa0KB are accepted. Nothing was recorded." in response.content.decode()
    assert not ItemImage.objects.exists()
    # Without files, a body is held to DATA_UPLOAD_MAX_MEMORY_SIZE.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post(
        item_url, "alt_text=" + "x" * 2000, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
