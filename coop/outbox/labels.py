"""Notices and recipients in words: the outbox pages never show a key like "assembly:1".

A notice is stored with a kind ("assembly-convocation") and a reference ("assembly:1"); each
copy with a recipient key ("member:4", "user:7", "email:<digest>"). These stay the stable keys
of the proof of sending; what people read comes from here. Each app registers, when it starts
(its AppConfig.ready), the name of its kinds and how to name the objects behind its key
prefixes, in bulk: one query per prefix on a page, however many rows. coop names users.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable

from django.utils.functional import Promise
from django.utils.translation import gettext as _

# prefix -> function taking the ids after "prefix:" and returning a text for each id found.
Describer = Callable[[list[str]], dict[str, str]]

_KINDS: dict[str, Promise] = {}
_DESCRIBERS: dict[str, Describer] = {}


def register_kind(kind: str, label: Promise) -> None:
    _KINDS[kind] = label


def register_key(prefix: str, describe: Describer) -> None:
    _DESCRIBERS[prefix] = describe


def kind_label(kind: str) -> str:
    """The kind's name; a kind no app registered reads as it is stored."""
    label = _KINDS.get(kind)
    return str(label) if label is not None else kind


def describe_keys(keys: Iterable[str]) -> dict[str, str]:
    """A text for each key: "member no. 4, Marcel Membre", the assembly's title..."""
    keys = set(keys)
    wanted: dict[str, set[str]] = defaultdict(set)
    for key in keys:
        prefix, _sep, rest = key.partition(":")
        wanted[prefix].add(rest.split(":", 1)[0])
    found = {
        prefix: _DESCRIBERS[prefix](sorted(ids))
        for prefix, ids in wanted.items()
        if prefix in _DESCRIBERS
    }
    described: dict[str, str] = {}
    for key in keys:
        prefix, _sep, rest = key.partition(":")
        if prefix not in found:
            described[key] = key  # a key no app registered reads as it is stored
            continue
        text = found[prefix].get(rest.split(":", 1)[0])
        described[key] = text if text is not None else _("someone or something no longer known")
    return described


def describe_key(key: str) -> str:
    return describe_keys([key])[key]


def int_ids(ids: list[str]) -> list[int]:
    return [int(value) for value in ids if value.isdigit()]


def _users(ids: list[str]) -> dict[str, str]:
    from coop.models import User

    return {
        str(user.pk): (
            f"{user.get_full_name()} ({user.email})" if user.get_full_name() else user.email
        )
        for user in User.objects.filter(pk__in=int_ids(ids))
    }


def _guests(ids: list[str]) -> dict[str, str]:
    return dict.fromkeys(ids, _("a guest (the address is kept only as a fingerprint)"))


register_key("user", _users)
register_key("email", _guests)
