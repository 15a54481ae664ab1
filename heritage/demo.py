"""Demo data of the heritage app (called by `manage.py seed_demo` after the register's): a
community organised by the demo organiser, with heritage items, a walk, two published
gatherings and a draft."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from heritage.models import Gathering
from heritage.services import (
    GatheringData,
    community_create,
    community_join,
    gathering_create,
    gathering_publish,
)
from heritage.services.items import ItemData, item_create, walk_create


def _at(days: int, hour: int) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def seed(*, users: dict[str, Any]) -> None:
    organiser = users["organisatrice@voliere.test"]
    community = community_create(
        name="Canuts de la Croix-Rousse",
        territory="Lyon, Croix-Rousse",
        description=(
            "Les traboules, les ateliers de tissage et la mémoire des canuts : nous les "
            "racontons, les visitons et les faisons vivre ensemble."
        ),
        organisers=[organiser],
        actor=None,
    )
    voraces = item_create(
        community=community,
        data=ItemData(
            kind="place",
            title="Cour des Voraces",
            description="Un escalier monumental de six étages, haut lieu des révoltes des canuts.",
            latitude=Decimal("45.770500"),
            longitude=Decimal("4.833900"),
        ),
        consent=True,
        actor=organiser,
    )
    caillou = item_create(
        community=community,
        data=ItemData(
            kind="place",
            title="Le Gros Caillou",
            description="Un bloc erratique laissé par les glaciers, symbole de la Croix-Rousse.",
            latitude=Decimal("45.775600"),
            longitude=Decimal("4.838800"),
        ),
        consent=True,
        actor=organiser,
    )
    item_create(
        community=community,
        data=ItemData(
            kind="practice",
            title="Le tissage au métier Jacquard",
            description="Le geste des canuts, transmis par les anciens de l'atelier.",
        ),
        consent=True,
        actor=organiser,
    )
    itinerary = walk_create(
        community=community,
        title="Des pentes au plateau",
        description="De la Cour des Voraces au Gros Caillou.",
        items=[voraces, caillou],
        actor=organiser,
    )
    walk = gathering_create(
        community=community,
        data=GatheringData(
            title="Balade des traboules",
            description="Des pentes au plateau, par les traboules et les cours des canuts.",
            kind=Gathering.Kind.WALK,
            starts_at=_at(10, 14),
            ends_at=_at(10, 17),
            place="Place des Terreaux, devant la fontaine Bartholdi, Lyon 1er",
            capacity=15,
            accessibility=(
                "Marche de 3 km avec escaliers et pentes raides ; pas d'accès en fauteuil."
            ),
            visibility=Gathering.Visibility.PUBLIC,
            walk=itinerary,
        ),
        actor=organiser,
    )
    gathering_publish(gathering=walk, actor=organiser)
    visit = gathering_create(
        community=community,
        data=GatheringData(
            title="Visite de la Maison des Canuts",
            description="Démonstration de tissage sur un métier Jacquard.",
            kind=Gathering.Kind.VISIT,
            starts_at=_at(20, 10),
            ends_at=_at(20, 12),
            place="10-12 rue d'Ivry, Lyon 4e",
            capacity=12,
            accessibility="Rez-de-chaussée accessible en fauteuil ; sièges disponibles.",
            visibility=Gathering.Visibility.PUBLIC,
        ),
        actor=organiser,
    )
    gathering_publish(gathering=visit, actor=organiser)
    gathering_create(
        community=community,
        data=GatheringData(
            title="Réunion de la communauté",
            description="Programme des balades de l'année.",
            kind=Gathering.Kind.MEETING,
            starts_at=_at(30, 18),
            ends_at=_at(30, 20),
            place="12 rue des Tisserands, Lyon 1er",
            capacity=30,
            accessibility="Salle de plain-pied.",
            visibility=Gathering.Visibility.MEMBERS,
        ),
        actor=organiser,
    )
    # Joined after the publications: the demo queues no notice.
    community_join(community=community, user=users["membre@voliere.test"], notify=True)
