"""The public application for membership: no sign-in, spam kept out without JavaScript.

A honeypot field (hidden from people, filled in by robots) and a limit of applications per
address and hour, counted in the shared Redis cache, keep robots out.
"""

from decimal import Decimal

from allauth.account.adapter import get_adapter
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from coop.errors import DomainError
from coop.http import HtmxHttpRequest, render
from coop.statutes import StatutesNotInForce, statutes_in_force
from members.forms.admission import ApplicationForm
from members.services import application_submit

# Applications accepted from one client address per window.
APPLICATIONS_PER_ADDRESS = 5
APPLICATION_WINDOW_SECONDS = 3600
SESSION_KEY = "members_application"


def _rate_key(request: HttpRequest) -> str:
    return f"members:apply:{get_adapter(request).get_client_ip(request)}"


def _rate_exhausted(request: HttpRequest) -> bool:
    return (cache.get(_rate_key(request)) or 0) >= APPLICATIONS_PER_ADDRESS


def _rate_count(request: HttpRequest) -> None:
    key = _rate_key(request)
    if cache.add(key, 1, timeout=APPLICATION_WINDOW_SECONDS):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=APPLICATION_WINDOW_SECONDS)


def _share_terms() -> tuple[Decimal | None, int]:
    """The nominal value of a share and the least number of shares, from the statutes."""
    try:
        statutes = statutes_in_force()
    except StatutesNotInForce:
        return None, 1
    return statutes.nominal_share_value, statutes.minimum_shares


@require_http_methods(["GET", "POST"])
def apply(request: HtmxHttpRequest) -> HttpResponse:
    nominal, statutes_minimum = _share_terms()
    terms = {"nominal": nominal, "statutes_minimum": statutes_minimum}
    status = 200
    if request.method == "POST":
        form = ApplicationForm(request.POST, **terms)
        if _rate_exhausted(request):
            form.is_valid()  # show what else needs correcting, keep what was typed
            form.add_error(
                None,
                _(
                    "Too many applications were sent from your connection in the last hour. "
                    "Nothing was recorded: please send yours again in an hour, or write to "
                    "the cooperative."
                ),
            )
            status = 429
        elif form.is_valid():
            try:
                member = application_submit(data=form.application_data())
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                _rate_count(request)
                total = form.shares_total()
                request.session[SESSION_KEY] = {
                    "name": member.display_name,
                    "email": member.email,
                    "shares": member.requested_shares,
                    "total": str(total[1]) if total else "",
                }
                return redirect("members:apply_done")
    else:
        form = ApplicationForm(**terms)
        if request.htmx and "requested_shares" in request.GET:
            # The total as the applicant types the number of shares.
            form = ApplicationForm(request.GET, **terms)
            context = {"form": form}
            return render(
                request, "members/apply.html", context, partial="shares-total", use_partial=True
            )
    return render(
        request,
        "members/apply.html",
        {
            "form": form,
            "nominal": nominal,
            "has_categories": form.fields["category"].queryset.exists(),
        },
        status=status,
    )


@require_GET
def apply_done(request: HttpRequest) -> HttpResponse:
    summary = request.session.get(SESSION_KEY)
    if summary and summary.get("total"):
        summary = {**summary, "total": Decimal(summary["total"])}
    return render(request, "members/apply_done.html", {"application": summary})
