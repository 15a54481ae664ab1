"""Demo data of the general assemblies (called by `manage.py seed_demo` after the register's):
an ordinary assembly in preparation and an extraordinary one convened for the demo members."""

import datetime as dt
import zoneinfo
from typing import Any

from django.conf import settings
from django.utils import timezone

from coop.actors import Actor
from governance.services.agenda import (
    agenda_item_add,
    resolution_add,
)
from governance.services.assembly import (
    assembly_create,
)
from governance.services.convocation import assembly_convene

PARIS = zoneinfo.ZoneInfo(settings.TIME_ZONE)

ORDINARY_AGENDA = [
    (
        "Rapport de gestion et comptes de l'exercice 2026",
        [
            (
                "Approbation des comptes",
                "L'assemblée générale, après avoir entendu le rapport de gestion du conseil "
                "d'administration, approuve les comptes de l'exercice clos le 31 décembre 2026 "
                "tels qu'ils lui ont été présentés.",
            ),
            (
                "Affectation du résultat",
                "L'assemblée générale décide d'affecter l'excédent de l'exercice en totalité à "
                "la réserve statutaire impartageable.",
            ),
        ],
    ),
    ("Questions diverses", []),
]

EXTRAORDINARY_AGENDA = [
    (
        "Modification des statuts",
        [
            (
                "Création d'un collège des communautés patrimoniales",
                "L'assemblée générale extraordinaire décide de créer un quatrième collège, celui "
                "des communautés patrimoniales, et de modifier l'article 14 des statuts en "
                "conséquence.",
            ),
        ],
    ),
]


def _at(days_ahead: int, hour: int) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days_ahead)
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=PARIS)


def _assembly(
    *, title: str, kind: str, starts_at: dt.datetime, agenda: list, actor: Actor, **where
):
    assembly = assembly_create(title=title, kind=kind, starts_at=starts_at, actor=actor, **where)
    for item_title, resolutions in agenda:
        item = agenda_item_add(assembly=assembly, title=item_title, actor=actor)
        for resolution_title, text in resolutions:
            resolution_add(
                assembly=assembly,
                agenda_item=item,
                title=resolution_title,
                text=text,
                board_approves=True,
                actor=actor,
            )
    return assembly


def seed(*, users: dict[str, Any]) -> None:
    admin = users["admin@voliere.test"]
    _assembly(
        title="Assemblée générale ordinaire annuelle",
        kind="ordinary",
        starts_at=_at(75, 18),
        agenda=ORDINARY_AGENDA,
        actor=admin,
        place="Salle des Tisserands, 12 rue des Tisserands, 69001 Lyon",
        online_access="https://visio.voliere.test/ago",
    )
    convened = _assembly(
        title="Assemblée générale extraordinaire : collèges",
        kind="extraordinary",
        starts_at=_at(30, 18),
        agenda=EXTRAORDINARY_AGENDA,
        actor=admin,
        place="Maison des associations, 28 rue Denfert-Rochereau, 69004 Lyon",
    )
    assembly_convene(assembly=convened, actor=admin)
