from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HeritageConfig(AppConfig):
    name = "heritage"
    verbose_name = _("Heritage communities")

    def ready(self) -> None:
        # The member's heritage activity in their personal-data export (RULES 5); registering
        # is idempotent.
        from heritage import (
            gdpr,  # noqa: F401
            home,  # noqa: F401 - registers its home-page sections
        )
