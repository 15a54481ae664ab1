"""The member register's pages, in one namespace; each area keeps its own patterns."""

from members import urls_admission, urls_portal, urls_register, urls_transfer

app_name = "members"

urlpatterns = [
    *urls_admission.urlpatterns,
    *urls_register.urlpatterns,
    *urls_portal.urlpatterns,
    *urls_transfer.urlpatterns,
]
