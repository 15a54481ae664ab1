# placeholder: being written
from django.http import HttpResponse


def _todo(request, *a, **k):
    return HttpResponse("todo")


statutes_index = statutes_create = statutes_detail = outbox_index = audit_index = _todo
