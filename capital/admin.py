from django.contrib import admin

from capital.models import AccountsApproval, InterestRateDecision, RepaymentRequest, ShareMovement
from coop.admin import ReadOnlyAdmin


@admin.register(ShareMovement)
class ShareMovementAdmin(ReadOnlyAdmin):
    list_display = (
        "seq",
        "effective_on",
        "kind",
        "member",
        "counterparty",
        "shares",
        "nominal_value",
        "amount",
        "paid_amount",
        "decision_ref",
        "approved_by",
    )
    list_filter = ("kind",)
    list_select_related = ("member", "counterparty")
    search_fields = ("member__last_name", "member__legal_name", "decision_ref")
    ordering = ("-seq",)


@admin.register(RepaymentRequest)
class RepaymentRequestAdmin(ReadOnlyAdmin):
    list_display = ("member", "exited_on", "shares", "repayment")
    list_select_related = ("member", "repayment")
    ordering = ("exited_on", "id")


@admin.register(AccountsApproval)
class AccountsApprovalAdmin(ReadOnlyAdmin):
    list_display = ("financial_year_end", "approved_on", "decision_ref", "losses_per_share")
    ordering = ("-financial_year_end",)


@admin.register(InterestRateDecision)
class InterestRateDecisionAdmin(ReadOnlyAdmin):
    list_display = ("financial_year_end", "rate", "tmo_average", "decided_on", "decision_ref")
    ordering = ("-financial_year_end",)
