"""General assemblies: the assembly, its frozen colleges, agenda, roll, proxies and bureau.

An assembly is prepared as a draft (agenda and resolutions can change), then convened: the
statutes in force are frozen into it (a statutes version is an immutable row, so a foreign key
is a freeze), the colleges' weights are copied into `AssemblyCollege`, and the roll of eligible
members is written once into `RollEntry`. After that nothing on the agenda or the roll changes;
the assembly can only go forward (meeting, voting, results) or be cancelled.

Who voted (a `Participation`, one per roll entry and resolution) is kept apart from what was
voted (the ballots of the voting issue), so a ballot can never be linked back to a member.
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from coop.statutes.rules import AssemblyKind, Convocation
from governance.tally import TallyLine, tally_lines_load


def check_in_token() -> str:
    """A random token printed as a QR code on the convocation, to check the member in."""
    return secrets.token_urlsafe(18)


class Assembly(models.Model):
    class Kind(models.TextChoices):
        ORDINARY = AssemblyKind.ORDINARY.value, _("ordinary general assembly")
        EXTRAORDINARY = AssemblyKind.EXTRAORDINARY.value, _("extraordinary general assembly")

    class ConvocationNumber(models.TextChoices):
        FIRST = Convocation.FIRST.value, _("first convocation")
        SECOND = Convocation.SECOND.value, _("second convocation")

    class Status(models.TextChoices):
        DRAFT = "draft", _("in preparation")
        CONVENED = "convened", _("convened")
        VOTING_OPEN = "voting_open", _("voting open")
        VOTING_CLOSED = "voting_closed", _("voting closed")
        PUBLISHED = "published", _("results published")
        CANCELLED = "cancelled", _("cancelled")
        QUORUM_NOT_REACHED = "no_quorum", _("quorum not reached")

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    convocation = models.CharField(
        _("convocation"),
        max_length=8,
        choices=ConvocationNumber.choices,
        default=ConvocationNumber.FIRST,
    )
    first_convocation = models.OneToOneField(
        "self",
        verbose_name=_("first convocation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="second_convocation",
        help_text=_("The assembly that did not reach its quorum, for a second convocation."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    starts_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=300, blank=True)
    online_access = models.CharField(
        _("online access"),
        max_length=500,
        blank=True,
        help_text=_("Address of the video meeting, or how to join online."),
    )
    distance_vote_deadline = models.DateTimeField(_("distance votes accepted until"))

    # Frozen when convened.
    statutes = models.ForeignKey(
        "coop.Statutes",
        verbose_name=_("statutes frozen at convocation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    convened_at = models.DateTimeField(_("convened at"), null=True, blank=True)
    convened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("convened by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    convocation_notice = models.OneToOneField(
        "coop.Notice",
        verbose_name=_("convocation notice"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    # The meeting itself.
    meeting_opened_at = models.DateTimeField(_("meeting opened at"), null=True, blank=True)
    meeting_opening_figures = models.JSONField(
        _("quorum figures when the meeting opened (or an online vote closed)"),
        null=True,
        blank=True,
    )
    voting_opened_at = models.DateTimeField(_("voting opened at"), null=True, blank=True)
    voting_closed_at = models.DateTimeField(_("voting closed at"), null=True, blank=True)

    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancellation_reason = models.TextField(_("reason for cancellation"), blank=True)

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("general assembly")
        verbose_name_plural = _("general assemblies")
        ordering = ["-starts_at"]
        permissions = [("manage_assemblies", _("Can prepare, convene and run assemblies"))]
        constraints = [
            models.CheckConstraint(
                condition=~Q(place="") | ~Q(online_access=""),
                name="governance_assembly_place_or_online",
            ),
            models.CheckConstraint(
                condition=Q(distance_vote_deadline__lte=F("starts_at")),
                name="governance_assembly_deadline_before_meeting",
            ),
            models.CheckConstraint(
                condition=Q(convocation=Convocation.FIRST.value, first_convocation__isnull=True)
                | Q(convocation=Convocation.SECOND.value, first_convocation__isnull=False),
                name="governance_assembly_second_names_first",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(statutes__isnull=False, convened_at__isnull=False),
                name="governance_assembly_convened_has_statutes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at:%Y-%m-%d})"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class AssemblyCollege(models.Model):
    """A college and its weight as they were when the assembly was convened."""

    assembly = models.ForeignKey(Assembly, on_delete=models.PROTECT, related_name="colleges")
    college = models.ForeignKey(
        "members.College", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=120)
    weight = models.DecimalField(_("weight (%)"), max_digits=5, decimal_places=2)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("college of an assembly")
        verbose_name_plural = _("colleges of an assembly")
        ordering = ["assembly", "position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["assembly", "college"], name="governance_assemblycollege_unique"
            ),
            models.CheckConstraint(
                condition=Q(weight__gt=0, weight__lte=100),
                name="governance_assemblycollege_weight_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.weight} %)"


class AgendaItem(models.Model):
    assembly = models.ForeignKey(Assembly, on_delete=models.PROTECT, related_name="agenda_items")
    position = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["assembly", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["assembly", "position"], name="governance_agendaitem_position_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class Resolution(models.Model):
    """A text put to the vote. Its majority is the statutes' majority for `majority_kind`."""

    assembly = models.ForeignKey(Assembly, on_delete=models.PROTECT, related_name="resolutions")
    agenda_item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("agenda item"),
        on_delete=models.PROTECT,
        related_name="resolutions",
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("full text"))
    majority_kind = models.CharField(
        _("majority required"),
        max_length=16,
        choices=Assembly.Kind.choices,
        help_text=_("The majority of the statutes for this kind of assembly."),
    )
    # RULES 34: a blank proxy votes for what the board approves and against the rest. Chosen
    # for every resolution written since the paper path; NULL for older rows (the board's
    # position was never asked, so a blank proxy counts it among "the others").
    board_approves = models.BooleanField(
        _("approved by the board"),
        null=True,
        blank=True,
        help_text=_("Whether the board recommends adopting this resolution."),
    )

    class Meta:
        verbose_name = _("resolution")
        verbose_name_plural = _("resolutions")
        ordering = ["assembly", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["assembly", "number"], name="governance_resolution_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class RollEntry(models.Model):
    """A member eligible to take part, frozen at convocation with their college and address."""

    assembly = models.ForeignKey(Assembly, on_delete=models.PROTECT, related_name="roll")
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="assembly_roll_entries"
    )
    college = models.ForeignKey(
        AssemblyCollege,
        verbose_name=_("college"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="roll_entries",
    )
    member_number = models.PositiveIntegerField(_("member number"))
    name = models.CharField(_("name"), max_length=300)
    address = models.CharField(_("address"), max_length=500, blank=True)
    check_in_token = models.CharField(max_length=40, unique=True, default=check_in_token)
    convocation_delivery = models.OneToOneField(
        "coop.NoticeDelivery",
        verbose_name=_("convocation sent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    present_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked in by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("entry on the roll")
        verbose_name_plural = _("roll")
        ordering = ["assembly", "member_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["assembly", "member"], name="governance_rollentry_member_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_number} {self.name}"


class Proxy(models.Model):
    """A written proxy from one member on the roll to another, for this assembly only.

    At most one active proxy per giver (a partial unique index); no chains and the holder's
    limit are checked under the assembly's row lock (governance.services.proxies).
    """

    assembly = models.ForeignKey(Assembly, on_delete=models.PROTECT, related_name="proxies")
    giver = models.ForeignKey(
        RollEntry,
        verbose_name=_("member represented"),
        on_delete=models.PROTECT,
        related_name="proxies_given",
    )
    holder = models.ForeignKey(
        RollEntry,
        verbose_name=_("proxy holder"),
        on_delete=models.PROTECT,
        related_name="proxies_held",
    )
    given_at = models.DateTimeField(_("given at"), auto_now_add=True)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("proxy")
        verbose_name_plural = _("proxies")
        ordering = ["assembly", "given_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["giver"],
                condition=Q(revoked_at__isnull=True),
                name="governance_proxy_one_active_per_giver",
            ),
            models.CheckConstraint(
                condition=~Q(giver=F("holder")), name="governance_proxy_not_to_oneself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.giver} → {self.holder}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class BureauSeat(models.Model):
    """The bureau of the meeting: a chair, one or more scrutineers, a secretary (RULES 16)."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("chair")
        SCRUTINEER = "scrutineer", _("scrutineer")
        SECRETARY = "secretary", _("secretary")

    assembly = models.ForeignKey(Assembly, on_delete=models.PROTECT, related_name="bureau")
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    name = models.CharField(_("name"), max_length=300)
    roll_entry = models.ForeignKey(
        RollEntry,
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("seat of the bureau")
        verbose_name_plural = _("bureau")
        ordering = ["assembly", "role", "recorded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["assembly", "role"],
                condition=Q(role__in=["chair", "secretary"]),
                name="governance_bureau_one_chair_one_secretary",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.name}"


class Participation(models.Model):
    """Who took part in the vote on a resolution, and how; never what they voted.

    Append-only: a trigger refuses UPDATE and DELETE.

    `roll_entry` is the member whose vote this is (the principal when a holder voted for them);
    `cast_by` is the roll entry of the holder when the vote was cast under a proxy.
    """

    class Channel(models.TextChoices):
        DISTANCE = "distance", _("at distance")
        ROOM = "room", _("in the meeting")

    resolution = models.ForeignKey(
        Resolution, on_delete=models.PROTECT, related_name="participations"
    )
    roll_entry = models.ForeignKey(
        RollEntry, on_delete=models.PROTECT, related_name="participations"
    )
    cast_by = models.ForeignKey(
        RollEntry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="participations_cast_for_others",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)

    class Meta:
        verbose_name = _("participation in a vote")
        verbose_name_plural = _("participations in votes")
        constraints = [
            models.UniqueConstraint(
                fields=["resolution", "roll_entry"], name="governance_participation_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.roll_entry} — {self.resolution}"


class BallotChoice(models.TextChoices):
    FOR = "for", _("for")
    AGAINST = "against", _("against")
    ABSTAIN = "abstain", _("abstain")


class UrnBallot(models.Model):
    """A ballot in the urn: written by the cast, changed by a re-vote, while the vote is open.

    The same fields as a sealed `Ballot`. When the vote closes (or the assembly is cancelled)
    `governance.services.urn.urn_seal` moves the assembly's urn ballots into the sealed box in
    the order of their random keys, in one statement, and deletes them here; the table is then
    vacuumed so that no dead row keeps the transaction id of a cast. See docs/secrecy.md.
    """

    Choice = BallotChoice

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    resolution = models.ForeignKey(Resolution, on_delete=models.PROTECT, related_name="+")
    college = models.ForeignKey(
        AssemblyCollege, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    choice = models.CharField(_("choice"), max_length=8, choices=BallotChoice.choices)
    receipt = models.CharField(_("receipt digest"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("ballot in the urn")
        verbose_name_plural = _("ballots in the urn")
        indexes = [models.Index(fields=["resolution"])]

    def __str__(self) -> str:
        return f"{self.resolution_id}: {self.choice}"


class BallotPointer(models.Model):
    """Which urn ballot is a voter's, sealed with their receipt, while the vote is open.

    `sealed` is the urn ballot's key XOR a 16-byte key derived from the voter's receipt code
    and the resolution (`governance.services.ballots.pointer_key`): without that receipt it is
    16 random bytes. Re-voting opens it with the receipt the voter gives, so another member's
    receipt opens nothing. Deleted with the urn when the vote is sealed.
    """

    roll_entry = models.ForeignKey(RollEntry, on_delete=models.PROTECT, related_name="+")
    resolution = models.ForeignKey(Resolution, on_delete=models.PROTECT, related_name="+")
    sealed = models.BinaryField(_("sealed pointer"), max_length=16)

    class Meta:
        verbose_name = _("sealed pointer to a ballot")
        verbose_name_plural = _("sealed pointers to ballots")
        constraints = [
            models.UniqueConstraint(
                fields=["roll_entry", "resolution"], name="governance_ballotpointer_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.roll_entry_id} — {self.resolution_id}"


class UrnSeal(models.Model):
    """The urn of an assembly was sealed: when, how many ballots, and when it was vacuumed.

    One row per assembly, written by the seal, with the seal's transaction id (64 bits): the
    vacuum task and the tally sweep vacuum the urn until no snapshot that could still see the
    urn's rows from before the seal was open when a vacuum started; then it is marked vacuumed.
    """

    assembly = models.OneToOneField(Assembly, on_delete=models.PROTECT, related_name="urn_seal")
    sealed_at = models.DateTimeField(_("sealed at"))
    seal_xid = models.BigIntegerField(_("transaction of the seal"))
    ballots = models.PositiveIntegerField(_("ballots moved into the box"))
    vacuumed_at = models.DateTimeField(_("urn vacuumed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("seal of an urn")
        verbose_name_plural = _("seals of urns")

    def __str__(self) -> str:
        return f"{self.assembly_id}: {self.ballots}"


class Ballot(models.Model):
    """What was voted on a resolution under a secret ballot, and nothing about who voted: the
    sealed ballot box.

    No member, user, time or sequential id: the primary key is random. Rows are only written
    by the seal of the urn (`governance.services.urn.urn_seal`), all of an assembly's at once
    in one statement, in the order of their random keys: they share the seal's transaction id
    and their physical order says nothing about the casts. The table is append-only (a trigger
    refuses UPDATE and DELETE). `receipt` is the digest of the voter's receipt code for this
    resolution: the voter can find their ballot in the published ballot box, nobody else can
    tell whose it is.
    """

    Choice = BallotChoice

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    resolution = models.ForeignKey(Resolution, on_delete=models.PROTECT, related_name="ballots")
    college = models.ForeignKey(
        AssemblyCollege, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    choice = models.CharField(_("choice"), max_length=8, choices=BallotChoice.choices)
    receipt = models.CharField(_("receipt digest"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        indexes = [models.Index(fields=["resolution", "college", "choice"])]

    def __str__(self) -> str:
        return f"{self.resolution_id}: {self.choice}"


class RoomCount(models.Model):
    """Votes counted in the room by the bureau (show of hands, paper), per college (RULES 32).

    Append-only (a trigger refuses UPDATE and DELETE): a count is corrected, before the tally,
    by a new row that names the row it corrects and gives the reason. The current count of a
    resolution and college is the row that no other row corrects; the tally counts only those.
    The first count of a resolution and college is unique, and a row is corrected at most once,
    so the counts of a resolution and college form one chain.
    """

    resolution = models.ForeignKey(Resolution, on_delete=models.PROTECT, related_name="room_counts")
    college = models.ForeignKey(
        AssemblyCollege, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    votes_for = models.PositiveIntegerField(_("for"))
    votes_against = models.PositiveIntegerField(_("against"))
    abstentions = models.PositiveIntegerField(_("abstentions"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("corrects"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
    )
    reason = models.TextField(_("reason for the correction"), blank=True)

    class Meta:
        verbose_name = _("votes counted in the room")
        verbose_name_plural = _("votes counted in the room")
        constraints = [
            models.UniqueConstraint(
                fields=["resolution", "college"],
                condition=Q(corrects__isnull=True),
                nulls_distinct=False,
                name="governance_roomcount_first_once_per_college",
            ),
            models.UniqueConstraint(
                fields=["corrects"], name="governance_roomcount_corrected_once"
            ),
            models.CheckConstraint(
                condition=Q(corrects__isnull=True, reason="")
                | (Q(corrects__isnull=False) & ~Q(reason="")),
                name="governance_roomcount_correction_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(corrects=F("pk")), name="governance_roomcount_not_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resolution}: {self.votes_for}/{self.votes_against}/{self.abstentions}"

    @property
    def total(self) -> int:
        return self.votes_for + self.votes_against + self.abstentions


class ResolutionResult(models.Model):
    """The tally of a resolution, written once when voting closes, with its arithmetic.

    Append-only: a trigger refuses UPDATE and DELETE.
    """

    resolution = models.OneToOneField(Resolution, on_delete=models.PROTECT, related_name="result")
    tallied_at = models.DateTimeField(_("tallied at"))
    empty_college_policy = models.CharField(_("empty-college policy"), max_length=10)
    majority_threshold = models.CharField(_("majority required"), max_length=20)
    majority_strict = models.BooleanField(_("strictly more than the threshold"))
    votes_for = models.PositiveIntegerField(_("for"))
    votes_against = models.PositiveIntegerField(_("against"))
    abstentions = models.PositiveIntegerField(_("abstentions"))
    weighted_for = models.CharField(
        _("weighted share for (exact fraction)"), max_length=200, blank=True
    )
    adopted = models.BooleanField(_("adopted"))
    colleges = models.JSONField(_("arithmetic per college"))

    class Meta:
        verbose_name = _("result of a resolution")
        verbose_name_plural = _("results of resolutions")

    def __str__(self) -> str:
        return f"{self.resolution}: {'adopted' if self.adopted else 'rejected'}"

    @property
    def lines(self) -> list[TallyLine]:
        """The arithmetic per college, read back typed (stored by tally_lines_dump)."""
        return tally_lines_load(self.colleges)


class Minutes(models.Model):
    """The minutes of an assembly (RULES 17): drafted from what Volière recorded, completed by
    the administrator with the summary of the debates, then published and never changed."""

    assembly = models.OneToOneField(Assembly, on_delete=models.PROTECT, related_name="minutes")
    debate_summary = models.TextField(_("summary of the debates"), blank=True)
    documents_presented = models.TextField(_("documents presented to the assembly"), blank=True)
    updated_at = models.DateTimeField(_("last changed at"), auto_now=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")

    def __str__(self) -> str:
        return str(self.assembly)


# --- The assembly's documents and the members' written questions (RULES 35, 17) -------------


def assembly_document_path(instance: "AssemblyDocument", filename: str) -> str:
    """A name nobody can guess: the file is served only through a view that checks the reader
    (governance.views.documents), never from a public address."""
    return f"governance/documents/{secrets.token_urlsafe(24)}.pdf"


class AssemblyDocument(models.Model):
    """A document put before the assembly (accounts, reports): a PDF open to every member on
    the roll from the convocation on. After convocation it is part of what the members were
    sent: documents can be added until the meeting, not removed."""

    class Kind(models.TextChoices):
        ANNUAL_ACCOUNTS = "annual_accounts", _("annual accounts")
        MANAGEMENT_REPORT = "management_report", _("management report")
        AUDITOR_REPORT = "auditor_report", _("auditor's report")
        OTHER = "other", _("other document")

    assembly = models.ForeignKey(Assembly, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("kind of document"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file (PDF)"), upload_to=assembly_document_path, max_length=200)
    original_name = models.CharField(_("name of the file sent"), max_length=255, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"))
    pages = models.PositiveIntegerField(_("pages"))
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    added_at = models.DateTimeField(_("added at"))
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("document of an assembly")
        verbose_name_plural = _("documents of an assembly")
        ordering = ["assembly", "added_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(title=""), name="governance_assemblydocument_has_title"
            ),
            models.CheckConstraint(
                condition=Q(
                    kind__in=["annual_accounts", "management_report", "auditor_report", "other"]
                ),
                name="governance_assemblydocument_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class WrittenQuestion(models.Model):
    """A question a member on the roll sent before the deadline (RULES 35), and the board's
    answer, given at the meeting and kept in the minutes."""

    assembly = models.ForeignKey(
        Assembly, on_delete=models.PROTECT, related_name="written_questions"
    )
    roll_entry = models.ForeignKey(
        RollEntry,
        verbose_name=_("asked by"),
        on_delete=models.PROTECT,
        related_name="written_questions",
    )

    class Channel(models.TextChoices):
        ONLINE = "online", _("on the assembly's page")
        POST = "post", _("by post")

    text = models.TextField(_("question"))
    asked_at = models.DateTimeField(_("asked at"))
    channel = models.CharField(
        _("received"), max_length=8, choices=Channel.choices, default=Channel.ONLINE
    )
    received_on = models.DateField(
        _("letter received on"),
        null=True,
        blank=True,
        help_text=_("For a question sent by post: the day the letter was received."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answer = models.TextField(_("the board's answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answer written by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("written question")
        verbose_name_plural = _("written questions")
        ordering = ["assembly", "asked_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(text=""), name="governance_writtenquestion_has_text"
            ),
            models.CheckConstraint(
                condition=Q(channel="online", received_on__isnull=True)
                | Q(channel="post", received_on__isnull=False),
                name="governance_writtenquestion_post_has_date",
            ),
            models.CheckConstraint(
                condition=Q(answer="", answered_at__isnull=True)
                | (~Q(answer="") & Q(answered_at__isnull=False)),
                name="governance_writtenquestion_answer_dated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.roll_entry}: {self.text[:60]}"


# The paper path (RULES 33, 34): postal forms and paper proxies, in a module of their own.
from governance.postal_models import PaperForm  # noqa: E402, F401
