from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from coop.views import core, mfa

# The Django admin signs in through allauth: same rate limits, MFA and e-mail rules.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = "Volière"

urlpatterns = [
    path("", core.home, name="home"),
    path("health", core.health, name="health"),
    path("ready", core.ready, name="ready"),
    path("i18n/", include("django.conf.urls.i18n")),
    # Two of allauth's pages, keeping the page the administrator was opening (coop.views.mfa).
    path("accounts/2fa/totp/activate/", mfa.activate_totp, name="mfa_activate_totp"),
    path("accounts/2fa/recovery-codes/", mfa.view_recovery_codes, name="mfa_view_recovery_codes"),
    path("accounts/", include("allauth.urls")),
    path("coop/", include("coop.web_urls")),
    path("jobs/", include("coop.jobs.urls")),
    path("members/", include("members.urls")),
    path("capital/", include("capital.urls")),
    path("assemblies/", include("governance.urls")),
    path("heritage/", include("heritage.urls")),
    path("admin/", admin.site.urls),
]

# Error pages in the site's layout and the visitor's language (coop.views.errors); 403 and 404
# are Django's handlers rendering templates/403.html and 404.html.
handler400 = "coop.views.errors.bad_request"
handler500 = "coop.views.errors.server_error"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
