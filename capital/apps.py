from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CapitalConfig(AppConfig):
    name = "capital"
    verbose_name = _("Share capital")

    def ready(self) -> None:
        from capital import (
            gdpr,  # noqa: F401 - registers the personal-data section (RULES 5)
            home,  # noqa: F401 - registers its home-page sections
            notice_labels,
        )
        from capital.services.repayments import repayment_request_for_exit
        from capital.views.admin import admission_next_step
        from members.services.lifecycle import exit_hooks
        from members.views.admission import admission_next_steps

        notice_labels.register()  # the outbox names share certificates
        # An exit puts the member's shares in the repayment queue (RULES 21-22).
        if repayment_request_for_exit not in exit_hooks:
            exit_hooks.append(repayment_request_for_exit)
        # After an admission, the shares the applicant intended are proposed for confirmation.
        if admission_next_step not in admission_next_steps:
            admission_next_steps.append(admission_next_step)
