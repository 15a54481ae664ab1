"""Who a service acts for: the `actor` argument of every service.

A signed-in user (`request.user` as the views pass it), or None when the system acts: a Celery
task, a management command, an import run from the command line. An anonymous visitor acting
through a public form counts as the system in the audit log.
"""

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _

from coop.errors import PermissionRefused
from coop.models import User

Actor: TypeAlias = User | AnonymousUser | None


def actor_person(actor: Actor) -> User | None:
    """The user behind the actor, or None for the system and for anonymous visitors."""
    if isinstance(actor, User) and actor.is_authenticated:
        return actor
    return None


def actor_user(actor: Actor) -> User:
    """The signed-in user a service records by name (who counted, who organises): refused for
    the system and for anonymous visitors."""
    person = actor_person(actor)
    if person is None:
        raise PermissionRefused(_("Sign in to do this."))
    return person
