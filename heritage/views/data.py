"""The personal data of an account that is not a member's (RULES 5: the right of access is
everyone's): a participant or an organiser downloads their account and heritage activity.

Members download theirs from their membership page (members:me_data), which holds the heritage
activity too: they are sent there.
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from coop.http import HtmxHttpRequest
from heritage.gdpr import account_data_export, has_member_export


@require_GET
@login_required
def my_data(request: HtmxHttpRequest) -> HttpResponse:
    if has_member_export(user=request.user):
        messages.info(
            request,
            _(
                "As a member, you download your personal data from your membership page: "
                "it holds your heritage communities, registrations and contributions too."
            ),
        )
        return redirect(reverse("members:me") + "#data-title")
    data = account_data_export(user=request.user)
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="personal-data-account-{stamp}.json"'
    response["Cache-Control"] = "no-store"
    return response
