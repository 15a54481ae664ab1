"""Heritage communities and the people in them (RULES 27-28).

A community gathers members of the cooperative and other participants (people with a login
account and a verified e-mail address, who are not members: they have no vote anywhere).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class HeritageCommunity(models.Model):
    """People who value a heritage and care for it together (Faro Convention)."""

    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("short name in addresses"), max_length=80, unique=True)
    territory = models.CharField(_("territory"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    organisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="organised_communities",
        verbose_name=_("organisers"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("heritage community")
        verbose_name_plural = _("heritage communities")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class CommunityMembership(models.Model):
    """A person who joined a community: a member of the cooperative, or a participant."""

    class Kind(models.TextChoices):
        MEMBER = "member", _("member of the cooperative")
        PARTICIPANT = "participant", _("participant (no vote)")

    community = models.ForeignKey(
        HeritageCommunity,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("community"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="heritage_memberships",
        verbose_name=_("person"),
    )
    kind = models.CharField(_("as"), max_length=12, choices=Kind.choices)
    notify = models.BooleanField(_("told of new gatherings by e-mail"), default=False)
    joined_at = models.DateTimeField(_("joined at"), auto_now_add=True)

    class Meta:
        verbose_name = _("community membership")
        verbose_name_plural = _("community memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "user"], name="heritage_membership_once_per_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.community}"
