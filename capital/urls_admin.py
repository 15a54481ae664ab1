"""URL patterns of the capital admin pages (namespace "capital", see capital/urls.py)."""

from django.urls import path

from capital.views import admin, admin_records

urlpatterns: list = [
    path("", admin.overview, name="overview"),
    path("member/", admin.member_action, name="member_action"),
    path("member/<int:member_pk>/", admin_records.member_capital, name="member"),
    path("subscribe/<int:member_pk>/", admin.subscribe, name="subscribe"),
    path("repay/<int:request_pk>/", admin.repay, name="repay"),
    path("pay/<int:member_pk>/", admin.pay, name="pay"),
    path("transfer/<int:member_pk>/", admin.transfer, name="transfer"),
    path("correct/<int:movement_pk>/", admin_records.correct, name="correct"),
    path("register/", admin_records.register, name="register"),
    path("balances/", admin_records.balances, name="balances"),
    path("accounts/", admin_records.accounts, name="accounts"),
    path("interest/", admin_records.interest, name="interest"),
]
