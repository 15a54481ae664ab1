"""Reads for the administrators' pages: notices with their counts, a notice's deliveries."""

from django.db.models import Count, Q, QuerySet

from coop.models import Notice, NoticeDelivery

Status = NoticeDelivery.Status


def notice_list_with_counts() -> QuerySet[Notice]:
    """Notices, newest first, each with its number of deliveries per status and of copies
    resent (one query)."""
    counts = {
        f"count_{status}": Count("deliveries", filter=Q(deliveries__status=status))
        for status in Status.values
    }
    return (
        Notice.objects.select_related("created_by")
        .annotate(
            count_total=Count("deliveries"),
            count_resent=Count("deliveries", filter=Q(deliveries__resends__gt=0)),
            **counts,
        )
        .order_by("-created_at", "-id")
    )


def notice_resent_count(*, notice: Notice) -> int:
    """How many copies of the notice were sent again after a try that may have delivered them."""
    return NoticeDelivery.objects.filter(notice=notice, resends__gt=0).count()


def notice_status_counts(*, notice: Notice) -> dict[str, int]:
    """{status: number of deliveries} for one notice, every status present."""
    found = dict(
        NoticeDelivery.objects.filter(notice=notice)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return {status: found.get(status, 0) for status in Status.values}


def notice_deliveries(*, notice: Notice, status: str | None = None) -> QuerySet[NoticeDelivery]:
    """A notice's deliveries in id order, without their (large) bodies."""
    deliveries = NoticeDelivery.objects.filter(notice=notice).defer("body_text", "body_html")
    if status:
        deliveries = deliveries.filter(status=status)
    return deliveries.order_by("id")


def notice_letters_waiting(*, notice: Notice) -> int:
    """How many letters of the notice are printed but not recorded as posted yet."""
    return NoticeDelivery.objects.filter(
        notice=notice,
        channel=NoticeDelivery.Channel.LETTER,
        status=NoticeDelivery.Status.PENDING,
    ).count()


def deliveries_needing_action() -> dict[str, dict[int, int]]:
    """For the administrators' home page, per notice: letters waiting to be posted and copies
    that failed or were interrupted (one query): {"letters": {notice id: n}, "failed": {...}}."""
    rows = (
        NoticeDelivery.objects.filter(
            Q(channel=NoticeDelivery.Channel.LETTER, status=NoticeDelivery.Status.PENDING)
            | Q(status__in=(NoticeDelivery.Status.FAILED, NoticeDelivery.Status.INTERRUPTED))
        )
        .values("notice_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    found: dict[str, dict[int, int]] = {"letters": {}, "failed": {}}
    for row in rows:
        key = "letters" if row["status"] == NoticeDelivery.Status.PENDING else "failed"
        found[key][row["notice_id"]] = found[key].get(row["notice_id"], 0) + row["n"]
    return found
