"""Reads of the heritage app: what each person may see of communities and gatherings."""

import datetime as dt
import hashlib
from typing import Any

from django.core.cache import cache
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import get_language

from coop.roles import Role, has_role
from heritage.models import (
    CommunityMembership,
    Gathering,
    HeritageCommunity,
    Registration,
    Walk,
    WalkStop,
)

# The public calendar shows what is coming and what happened in the last few weeks.
FEED_PAST_DAYS = 30
FEED_MAX_EVENTS = 500
REGISTRATION_ORDER = ("confirmed", "offered", "waiting", "cancelled", "expired")
SHOWN_STATUSES = (Gathering.Status.PUBLISHED, Gathering.Status.CANCELLED, Gathering.Status.HELD)


def is_organiser(*, user: Any, community: HeritageCommunity) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return community.organisers.filter(pk=user.pk).exists()


def sees_members_only(*, user: Any) -> bool:
    """Members of the cooperative see the gatherings kept for members."""
    return has_role(user, Role.MEMBER)


def gathering_visible_to(*, gathering: Gathering, user: Any) -> bool:
    """Drafts are seen by the community's organisers only; members-only gatherings by members,
    the community's own people and organisers; the rest by everyone."""
    if gathering.status == Gathering.Status.DRAFT:
        return is_organiser(user=user, community=gathering.community)
    if gathering.is_public:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        sees_members_only(user=user)
        or CommunityMembership.objects.filter(community=gathering.community, user=user).exists()
        or is_organiser(user=user, community=gathering.community)
    )


def communities_of(*, user: Any) -> list[int]:
    """The ids of the communities a person belongs to or organises (one query)."""
    members = CommunityMembership.objects.filter(user=user).values_list("community_id", flat=True)
    organised = HeritageCommunity.objects.filter(organisers=user).values_list("pk", flat=True)
    return list(members.union(organised))


def gatherings_listed(
    *,
    user: Any,
    community: HeritageCommunity | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[Gathering]:
    """Published, cancelled and held gatherings a person may see, soonest first.

    Without a start date, the list starts today. One query, whatever the number of rows (and
    before it, for a signed-in person who is not a member, one for their communities).
    """
    gatherings = Gathering.objects.filter(status__in=SHOWN_STATUSES).select_related("community")
    if not getattr(user, "is_authenticated", False):
        gatherings = gatherings.filter(visibility=Gathering.Visibility.PUBLIC)
    elif not sees_members_only(user=user):
        # Their communities read first: joined in, with DISTINCT, they made the database scan,
        # join and sort every gathering (a hundred times slower at 10,000 gatherings).
        visible = Q(visibility=Gathering.Visibility.PUBLIC)
        own = communities_of(user=user)
        if own:
            visible |= Q(community_id__in=own)
        gatherings = gatherings.filter(visible)
    if community is not None:
        gatherings = gatherings.filter(community=community)
    zone = timezone.get_current_timezone()
    start = date_from or timezone.localdate()
    gatherings = gatherings.filter(
        ends_at__gte=dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    )
    if date_to is not None:
        gatherings = gatherings.filter(
            starts_at__lt=dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, zone)
        )
    return gatherings.order_by("starts_at", "id")


# The number of gatherings a visitor's list shows is counted once per version of the listed
# gatherings (services bump the version when one is published, changed, cancelled or held) and
# per day (the list starts today): the count is the list page's most expensive query.
LIST_VERSION_KEY = "heritage:gatherings-list-version"
LIST_COUNT_TIMEOUT = 3600


def gatherings_listed_count(*, gatherings: QuerySet[Gathering], key: str) -> int:
    """`gatherings.count()`, cached under `key` (the filters) for the current version."""
    version = cache.get(LIST_VERSION_KEY, 0)
    cache_key = f"heritage:gatherings-count:{version}:{timezone.localdate()}:{key}"
    count = cache.get(cache_key)
    if count is None:
        count = gatherings.count()
        cache.set(cache_key, count, LIST_COUNT_TIMEOUT)
    return int(count)


# A visitor's page of results (the count, the cards and the links to the other pages) and the
# filter's communities are rendered once per version of the listed gatherings (which the
# services also bump when a community is created or renamed), version of their seats (the
# registration services bump it when a seat is taken or freed: the feeds, which show no seats,
# are kept), day, language and query string, then served from the cache.
SEATS_VERSION_KEY = "heritage:gatherings-seats-version"
RESULTS_VERSION_KEYS = (LIST_VERSION_KEY, SEATS_VERSION_KEY)
RESULTS_TIMEOUT = 3600

Versions = tuple[Any, ...]


def gatherings_results_key(*, query: str) -> str:
    """The cache key of a visitor's rendered filter options and page of results for `query`
    (the query string, whose order the links to the other pages keep)."""
    digest = hashlib.blake2b(query.encode(), digest_size=16).hexdigest()
    return (
        f"heritage:gatherings-results:{timezone.localdate()}:{get_language()}:"
        f"{timezone.get_current_timezone_name()}:{digest}"
    )


def kept_for_versions(*, key: str, version_keys: tuple[str, ...]) -> tuple[Versions, Any]:
    """The current versions named by `version_keys`, and what `keep_for_versions` kept under
    `key` for exactly these versions (else None): one read of the cache."""
    found = cache.get_many([*version_keys, key])
    versions = tuple(found.get(name, 0) for name in version_keys)
    entry = found.get(key)
    if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == versions:
        return versions, entry[1]
    return versions, None


def keep_for_versions(*, key: str, versions: Versions, value: Any, timeout: int) -> None:
    """Keep `value` under `key` for `versions` (read before the value was made: a change made
    meanwhile has bumped them, and the value is made again at the next read)."""
    cache.set(key, (versions, value), timeout)


def gatherings_for_feed(*, community: HeritageCommunity | None = None) -> QuerySet[Gathering]:
    """The public calendar: public gatherings from FEED_PAST_DAYS ago on, soonest first (the
    feeds show the first FEED_MAX_EVENTS)."""
    since = timezone.now() - dt.timedelta(days=FEED_PAST_DAYS)
    gatherings = Gathering.objects.filter(
        status__in=SHOWN_STATUSES, visibility=Gathering.Visibility.PUBLIC, starts_at__gte=since
    )
    if community is not None:
        gatherings = gatherings.filter(community=community)
    return gatherings.order_by("starts_at", "id")


def communities_listed(*, user: Any = None) -> QuerySet[HeritageCommunity]:
    communities = HeritageCommunity.objects.annotate(
        people=Count("memberships", distinct=True)
    ).order_by("name", "id")
    if getattr(user, "is_authenticated", False):
        communities = communities.annotate(
            joined=Exists(CommunityMembership.objects.filter(community=OuterRef("pk"), user=user))
        )
    return communities


def communities_for_filter() -> list[tuple[str, str]]:
    """(slug, name) of every community, by name, for the filter of the list of gatherings."""
    return list(HeritageCommunity.objects.order_by("name", "id").values_list("slug", "name"))


def community_membership(*, community: HeritageCommunity, user: Any) -> CommunityMembership | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return CommunityMembership.objects.filter(community=community, user=user).first()


def communities_organised_by(*, user: Any) -> QuerySet[HeritageCommunity]:
    return HeritageCommunity.objects.filter(organisers=user).order_by("name", "id")


def gatherings_organised(*, user: Any) -> QuerySet[Gathering]:
    """Every gathering of the communities a person organises, latest first."""
    return (
        Gathering.objects.filter(community__organisers=user)
        .select_related("community")
        .order_by("-starts_at", "-id")
    )


def registration_of(*, gathering: Gathering, user: Any) -> Registration | None:
    """The person's active registration to the gathering, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Registration.objects.filter(gathering=gathering, user=user, status__in=Registration.ACTIVE)
        .order_by("-id")
        .first()
    )


def registrations_of_user(*, user: Any) -> QuerySet[Registration]:
    """A person's registrations to the published gatherings that are not over yet."""
    return (
        Registration.objects.filter(
            user=user,
            status__in=Registration.ACTIVE,
            gathering__status=Gathering.Status.PUBLISHED,
            gathering__ends_at__gte=timezone.now(),
        )
        .select_related("gathering__community")
        .order_by("gathering__starts_at", "id")
    )


def waiting_rank(*, registration: Registration) -> int | None:
    """The place of a registration in the waiting line now (1 is next)."""
    if registration.status != Registration.Status.WAITING:
        return None
    ahead = Registration.objects.filter(
        gathering_id=registration.gathering_id,
        status=Registration.Status.WAITING,
        position__lt=registration.position,
    ).count()
    return ahead + 1


def gathering_registrations(*, gathering: Gathering) -> QuerySet[Registration]:
    """Everyone registered, for the organisers: seats first, then the line, then the rest."""
    return (
        Registration.objects.filter(gathering=gathering)
        .exclude(status=Registration.Status.PENDING)
        .select_related("user")
        .annotate(
            rank=Case(
                *(
                    When(status=status, then=Value(index))
                    for index, status in enumerate(REGISTRATION_ORDER)
                ),
                default=Value(len(REGISTRATION_ORDER)),
                output_field=IntegerField(),
            )
        )
        .order_by("rank", "position", "created_at", "id")
    )


def gathering_counts(*, gathering: Gathering) -> dict[str, int]:
    rows = (
        Registration.objects.filter(gathering=gathering)
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = dict.fromkeys(Registration.Status.values, 0)
    for row in rows:
        counts[row["status"]] = row["n"]
    return counts


def walk_stops(*, walk: Walk) -> QuerySet[WalkStop]:
    """The stops of a walk in order, with their items."""
    return walk.stops.select_related("item").order_by("position")


# --- The home page ----------------------------------------------------------------------------

HOME_GATHERINGS = 5


def gatherings_of_my_communities(*, user: Any, limit: int = HOME_GATHERINGS) -> list[Gathering]:
    """The next published gatherings of the communities a person belongs to, each with
    `my_status` (their active registration's status, or None). One query."""
    mine = Registration.objects.filter(
        gathering=OuterRef("pk"), user=user, status__in=Registration.ACTIVE
    ).order_by("-id")
    gatherings = (
        Gathering.objects.filter(
            community__memberships__user=user,
            status=Gathering.Status.PUBLISHED,
            ends_at__gte=timezone.now(),
        )
        .select_related("community")
        .annotate(my_status=Subquery(mine.values("status")[:1]))
        .order_by("starts_at", "id")
        .distinct()
    )
    return list(gatherings[:limit])


def seats_offered_to(*, user: Any) -> list[Registration]:
    """Seats offered to the person from a waiting list, still to confirm (one query)."""
    return list(
        Registration.objects.filter(
            user=user,
            status=Registration.Status.OFFERED,
            gathering__status=Gathering.Status.PUBLISHED,
            gathering__starts_at__gte=timezone.now(),
        )
        .select_related("gathering")
        .order_by("offer_expires_at", "id")
    )


def gatherings_to_run(*, user: Any, limit: int = 10) -> list[Gathering]:
    """The next gatherings of the communities a person organises (drafts included), each
    with `waiting` and `offered` counts. One query."""
    return list(
        Gathering.objects.filter(
            community__organisers=user,
            status__in=(Gathering.Status.DRAFT, Gathering.Status.PUBLISHED),
            ends_at__gte=timezone.now(),
        )
        .select_related("community")
        .annotate(
            waiting=Count(
                "registrations",
                filter=Q(registrations__status=Registration.Status.WAITING),
                distinct=True,
            ),
            offered=Count(
                "registrations",
                filter=Q(registrations__status=Registration.Status.OFFERED),
                distinct=True,
            ),
        )
        .order_by("starts_at", "id")[:limit]
    )
