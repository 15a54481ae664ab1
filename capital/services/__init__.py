"""Writes to the share capital. Every service takes the ledger lock first."""

from capital.services.accounts import accounts_approval_record, interest_rate_record
from capital.services.certificates import certificate_notify
from capital.services.movements import share_correct, share_pay, share_subscribe, share_transfer
from capital.services.repayments import repayment_make, repayment_request_for_exit

__all__ = [
    "accounts_approval_record",
    "certificate_notify",
    "interest_rate_record",
    "repayment_make",
    "repayment_request_for_exit",
    "share_correct",
    "share_pay",
    "share_subscribe",
    "share_transfer",
]
