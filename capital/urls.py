"""The share capital's pages, in one namespace; each area keeps its own patterns."""

from capital import urls_admin, urls_member

app_name = "capital"

urlpatterns = [*urls_admin.urlpatterns, *urls_member.urlpatterns]
