from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = _("General assemblies")

    def ready(self) -> None:
        # Celery finds `tasks` modules by itself; the vote's tasks live apart from the meeting's.
        # `gdpr` adds the member's assemblies to their personal-data export (RULES 5); the
        # registration is idempotent.
        from governance import gdpr, home, notice_labels, tasks  # noqa: F401

        notice_labels.register()  # the outbox names the assemblies' notices
