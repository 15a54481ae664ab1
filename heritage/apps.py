from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HeritageConfig(AppConfig):
    name = "heritage"
    verbose_name = _("Heritage communities")

    def ready(self) -> None:
        # The member's heritage activity in their personal-data export (RULES 5); registering
        # is idempotent.
        from heritage import gdpr, home, notice_labels  # noqa: F401

        notice_labels.register()  # the outbox names the gatherings' notices
