from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Member register")

    def ready(self) -> None:
        from members import home, notice_labels  # noqa: F401 - home registers its sections

        notice_labels.register()  # the outbox names the register's notices and members
