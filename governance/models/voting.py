"""The vote: who took part (participations), the sealed urn and the ballot box, the room's
counts and the results. Who voted is kept apart from what was voted (docs/secrecy.md)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from governance.models.assembly import Assembly, AssemblyCollege, Resolution, RollEntry
from governance.tally import TallyLine, tally_lines_load


class Participation(models.Model):
    """Who took part in the vote on a resolution, and how; never what they voted.

    Append-only: a trigger refuses UPDATE and DELETE.

    `roll_entry` is the member whose vote this is (the principal when a holder voted for them);
    `cast_by` is the roll entry of the holder when the vote was cast under a proxy.
    """

    class Channel(models.TextChoices):
        DISTANCE = "distance", _("at distance")
        ROOM = "room", _("in the meeting")

    # Indexed by the unique (resolution, roll_entry) below, which begins with it: a second
    # index would only be one more to write on every cast.
    resolution = models.ForeignKey(
        Resolution, on_delete=models.PROTECT, related_name="participations", db_index=False
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
    receipt = models.CharField(_("receipt digest"), max_length=64)

    class Meta:
        verbose_name = _("ballot in the urn")
        verbose_name_plural = _("ballots in the urn")
        # Only the indexes a cast must write: the resolution's (its foreign key's, and the
        # seal's reads), the college's, and the receipt's uniqueness (a constraint, so without
        # the pattern index a unique text field would get: receipts are never searched by
        # prefix).
        constraints = [
            models.UniqueConstraint(fields=["receipt"], name="governance_urnballot_receipt_once"),
        ]

    def __str__(self) -> str:
        return f"{self.resolution_id}: {self.choice}"


class BallotPointer(models.Model):
    """Which urn ballot is a voter's, sealed with their receipt, while the vote is open.

    `sealed` is the urn ballot's key XOR a 16-byte key derived from the voter's receipt code
    and the resolution (`governance.services.ballots.pointer_key`): without that receipt it is
    16 random bytes. Re-voting opens it with the receipt the voter gives, so another member's
    receipt opens nothing. Deleted with the urn when the vote is sealed.
    """

    # Indexed by the unique (roll_entry, resolution) below, which begins with it.
    roll_entry = models.ForeignKey(
        RollEntry, on_delete=models.PROTECT, related_name="+", db_index=False
    )
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
