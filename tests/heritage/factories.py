"""Heritage test data, made through the services (the seats are counted by them)."""

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from heritage.models import Gathering
from heritage.services import GatheringData, community_create, gathering_create, gathering_publish
from tests.coop.factories import UserFactory


def community(*, name="Mémoire des canuts", organisers=None, **extra):
    organisers = organisers if organisers is not None else [UserFactory(roles=["organiser"])]
    return community_create(name=name, organisers=organisers, actor=None, **extra)


def gathering_data(**overrides) -> GatheringData:
    start = overrides.pop("starts_at", timezone.now() + dt.timedelta(days=7))
    start = start.replace(second=0, microsecond=0)  # what a form gives: whole minutes
    values = {
        "title": "Balade des traboules",
        "description": "Par les pentes.",
        "kind": Gathering.Kind.WALK,
        "starts_at": start,
        "ends_at": start + dt.timedelta(hours=2),
        "place": "Place des Terreaux, Lyon",
        "capacity": 10,
        "accessibility": "Escaliers.",
        "visibility": Gathering.Visibility.PUBLIC,
        "registration_deadline": None,
    }
    values.update(overrides)
    return GatheringData(**values)


def gathering(*, of=None, publish=True, **overrides) -> Gathering:
    """A gathering of `of` (a new community by default), published unless told otherwise."""
    of = of or community()
    organiser = of.organisers.first()
    made = gathering_create(community=of, data=gathering_data(**overrides), actor=organiser)
    if publish:
        made = gathering_publish(gathering=made, actor=organiser)
    return made


def png_upload(name: str = "image.png", *, kind: str = "PNG") -> SimpleUploadedFile:
    """A tiny real image, uploaded as a form would (`kind` is Pillow's format name)."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (31, 95, 74)).save(buffer, kind)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")
