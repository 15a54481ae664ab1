from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoopConfig(AppConfig):
    name = "coop"
    verbose_name = _("Cooperative")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from coop import home_sections  # noqa: F401 - registers the core's home-page sections
        from coop.middleware import start_idle_clock
        from coop.outbox import (
            printing,  # noqa: F401  (declares the job printing letters)
            proof,  # noqa: F401  (declares the job writing a proof of sending)
        )
        from coop.roles import sync_role_groups
        from coop.uploads import configure_pillow

        configure_pillow()

        post_migrate.connect(sync_role_groups, dispatch_uid="coop-sync-role-groups")
        user_logged_in.connect(start_idle_clock, dispatch_uid="coop-start-idle-clock")
