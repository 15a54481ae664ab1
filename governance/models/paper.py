"""Paper forms the bureau records (RULES 33, 34): a postal-vote form or a paper proxy.

One row per member and assembly, whatever the form said: the first voice recorded stands (a
second form, an online vote or a check-in after it are refused). The row says which of the
form's exclusive options was ticked, never how the member voted: the votes of a postal form go
into the urn like online votes (governance.services.postal), and the paper itself is the
bureau's record. A form received after the distance-vote deadline is kept with
`counted = False` and counts for nothing.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PaperForm(models.Model):
    class Document(models.TextChoices):
        POSTAL = "postal", _("postal-vote form")
        PROXY = "proxy", _("paper proxy")

    class Option(models.TextChoices):
        CHAIR = "chair", _("trusts the chair (blank proxy)")
        VOTE = "vote", _("votes on each resolution")
        HOLDER = "holder", _("names a proxy holder")

    class Amendments(models.TextChoices):
        CHAIR = "chair", _("the chair votes")
        ABSTAIN = "abstain", _("abstain")
        HOLDER = "holder", _("a named member votes")

    assembly = models.ForeignKey(
        "governance.Assembly", on_delete=models.PROTECT, related_name="paper_forms"
    )
    roll_entry = models.OneToOneField(
        "governance.RollEntry",
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="paper_form",
    )
    document = models.CharField(_("form"), max_length=8, choices=Document.choices)
    option = models.CharField(_("what the form says"), max_length=8, choices=Option.choices)
    holder = models.ForeignKey(
        "governance.RollEntry",
        verbose_name=_("proxy holder named"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    proxy = models.OneToOneField(
        "governance.Proxy",
        verbose_name=_("proxy recorded"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="paper_form",
    )
    amendments = models.CharField(
        _("amendments or new resolutions"),
        max_length=8,
        choices=Amendments.choices,
        blank=True,
    )
    amendments_holder = models.ForeignKey(
        "governance.RollEntry",
        verbose_name=_("member named for amendments"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    received_on = models.DateField(_("received on"))
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    counted = models.BooleanField(
        _("counted"), help_text=_("False for a form received after the distance-vote deadline.")
    )

    class Meta:
        verbose_name = _("paper form")
        verbose_name_plural = _("paper forms")
        ordering = ["assembly", "recorded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(option="holder", holder__isnull=False)
                | (~Q(option="holder") & Q(holder__isnull=True)),
                name="governance_paperform_holder_named",
            ),
            models.CheckConstraint(
                condition=Q(amendments="holder", amendments_holder__isnull=False)
                | (~Q(amendments="holder") & Q(amendments_holder__isnull=True)),
                name="governance_paperform_amendments_holder_named",
            ),
            models.CheckConstraint(
                condition=Q(document="postal", amendments__in=["chair", "abstain", "holder"])
                | Q(document="proxy", amendments="", option__in=["chair", "holder"]),
                name="governance_paperform_document_options",
            ),
            models.CheckConstraint(
                condition=Q(proxy__isnull=True) | Q(option="holder", counted=True),
                name="governance_paperform_proxy_for_counted_holder",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.roll_entry_id}: {self.document}/{self.option}"
