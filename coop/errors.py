"""The domain error: services raise it, views show its message to the user."""

from django.utils.functional import Promise


class DomainError(Exception):
    """A business rule refused an action. The message is translatable and shown as is."""

    def __init__(self, message: str | Promise, *, code: str = "refused", **params: object):
        self.message = message
        self.code = code
        self.params = params
        super().__init__(str(message))

    def __str__(self) -> str:
        return str(self.message)


class PermissionRefused(DomainError):
    """The actor may not do this (re-checked in services where it is an invariant)."""


class ConcurrencyConflict(DomainError):
    """Someone else changed the same thing at the same time; try again."""
