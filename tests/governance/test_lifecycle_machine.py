"""An assembly driven through random sequences of every action, with a clock that moves on
(RULES 11-15, 31): after each step, no vote was accepted outside its window, every member has
one voice, the quorum was honoured, and a tally equals the votes this test saw accepted.

The machine keeps its own record of what the services accepted (who voted, in which college,
for what) and checks the database against it; it never reads the rules from the code under
test, only from docs/rules.md, so a service that lets a vote in out of time fails here.
"""

import datetime as dt
from collections import Counter

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from coop.errors import DomainError
from governance.models import (
    Assembly,
    AssemblyCollege,
    Participation,
    Proxy,
    ResolutionResult,
    RollEntry,
    RoomCount,
)
from governance.services.assembly import assembly_prepare_second_convocation
from governance.services.ballots import ballot_cast
from governance.services.convocation import assembly_cancel, assembly_convene
from governance.services.meeting import (
    bureau_seat_add,
    meeting_open,
    roll_entry_check_in,
)
from governance.services.proxies import proxy_give, proxy_revoke
from governance.services.room_counts import room_count_correct, room_count_record
from governance.services.voting import assembly_tally, voting_close, voting_open
from tests.coop.factories import UserFactory
from tests.governance.factories import (
    PARIS,
    draft_assembly,
    members_admitted,
    statutes_and_register,
)

pytestmark = [pytest.mark.django_db(transaction=False), pytest.mark.slow]

CHOICES = ("for", "against", "abstain")
# None: to 45 minutes before the meeting (if that is still to come), twice as likely.
STEPS = (
    dt.timedelta(minutes=20),
    dt.timedelta(hours=1),
    dt.timedelta(hours=3),
    dt.timedelta(days=1),
    dt.timedelta(days=4),
    None,
    None,
)
DAY_ONE = dt.datetime(2027, 3, 1, 9, 0, tzinfo=PARIS)


def _local(value: dt.datetime) -> dt.datetime:
    return value.astimezone(PARIS)


class AssemblyMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        # Each example in a savepoint of its own, rolled back at its end.
        self._example = transaction.atomic()
        self._example.__enter__()
        self.now = DAY_ONE
        self.assembly: Assembly | None = None
        # What this test saw accepted: per roll entry, the choice and the college it counts in;
        # per (resolution, college), the room's current count (for, against, abstentions).
        self.votes: dict[int, tuple[str, int | None]] = {}
        self.room: dict[tuple[int, int], tuple[int, int, int]] = {}

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._example.__exit__(None, None, None)

    @initialize(online_only=st.booleans())
    def convene(self, online_only: bool) -> None:
        self.bureau = UserFactory(roles=["administrator"])
        register = statutes_and_register()
        members_admitted(register, 2, category="employee")
        members_admitted(register, 2, category="beneficiary")
        members_admitted(register, 3, category="volunteer")
        self.assembly = self._convene(
            draft_assembly(
                starts_at=dt.datetime(2027, 3, 20, 18, 0, tzinfo=PARIS),
                place="" if online_only else "Salle des fêtes",
                online_access="https://visio.example.org/ag",
                resolutions=2,
            )
        )

    # --- helpers -------------------------------------------------------------------------

    def _convene(self, draft: Assembly) -> Assembly:
        assembly = assembly_convene(assembly=draft, actor=None, now=self.now)
        self.entries = list(RollEntry.objects.filter(assembly=assembly).order_by("member_number"))
        self.votes = {}
        self.room = {}
        return assembly

    def _refresh(self) -> Assembly:
        self.assembly.refresh_from_db()
        return self.assembly

    def _meeting_day_reached(self) -> bool:
        """The rules of the meeting itself are tried from its day on (their refusals before
        that day are the unit tests' business): the sequences spend their steps there."""
        return self.assembly is not None and (
            _local(self.now).date() >= _local(self.assembly.starts_at).date()
        )

    def _on_meeting_day(self) -> bool:
        return _local(self.now).date() == _local(self.assembly.starts_at).date()

    @staticmethod
    def _attempt(action, **kwargs) -> bool:
        """Run a service in a savepoint; True when it was accepted, False when refused."""
        try:
            with transaction.atomic():
                action(**kwargs)
        except DomainError:
            return False
        return True

    # --- the clock -----------------------------------------------------------------------

    @rule(step=st.sampled_from(STEPS), overshoot=st.integers(0, 9))
    def time_passes(self, step: dt.timedelta | None, overshoot: int) -> None:
        assembly = self._refresh()
        if step is None:
            self.now = max(self.now, assembly.starts_at - dt.timedelta(minutes=45))
            return
        # Past the end of the meeting's day only now and then (one time in ten): most of the
        # sequences go on to what happens on that day.
        day_ends = dt.datetime.combine(
            _local(assembly.starts_at).date() + dt.timedelta(days=1), dt.time(0), tzinfo=PARIS
        )
        if self.now < day_ends <= self.now + step and overshoot:
            return
        self.now += step

    # --- members -------------------------------------------------------------------------

    @rule(index=st.integers(0, 6), choice=st.sampled_from(CHOICES), by_holder=st.booleans())
    def cast(self, index: int, choice: str, by_holder: bool) -> None:
        entry = self.entries[index % len(self.entries)]
        proxy = Proxy.objects.filter(giver=entry, revoked_at__isnull=True).first()
        voter = proxy.holder if (by_holder and proxy) else entry
        before = self._refresh()
        resolutions = list(before.resolutions.values_list("pk", flat=True))
        accepted = self._attempt(
            ballot_cast,
            assembly=before,
            voter=voter,
            principal=None if voter.pk == entry.pk else entry,
            choices=dict.fromkeys(resolutions, choice),
            actor=None,
            now=self.now,
        )
        if not accepted:
            return
        # RULES 15, 31: only while distance voting is open (until the deadline, or until the
        # chair closes an online-only vote), or while the vote is open in the meeting.
        if before.status == Assembly.Status.CONVENED:
            assert self.now <= before.distance_vote_deadline or not before.place
        else:
            assert before.status == Assembly.Status.VOTING_OPEN
        # One voice per member, and a member who gave a proxy does not vote himself.
        assert entry.pk not in self.votes
        assert voter.pk != entry.pk or proxy is None
        event(f"vote accepted ({before.get_status_display()})")
        self.votes[entry.pk] = (choice, entry.college_id)

    @rule(giver=st.integers(0, 6), holder=st.integers(0, 6))
    def give_proxy(self, giver: int, holder: int) -> None:
        giver_entry = self.entries[giver % len(self.entries)]
        holder_entry = self.entries[holder % len(self.entries)]
        before = self._refresh()
        accepted = self._attempt(
            proxy_give,
            assembly=before,
            giver=giver_entry,
            holder=holder_entry,
            actor=None,
            now=self.now,
        )
        if accepted:
            assert before.status == Assembly.Status.CONVENED
            assert before.voting_opened_at is None
            assert giver_entry.pk not in self.votes

    @rule(index=st.integers(0, 6))
    def revoke_proxy(self, index: int) -> None:
        entry = self.entries[index % len(self.entries)]
        proxy = Proxy.objects.filter(giver=entry, revoked_at__isnull=True).first()
        if proxy is None:
            return
        used = Participation.objects.filter(roll_entry=entry, cast_by=proxy.holder).exists()
        accepted = self._attempt(proxy_revoke, proxy=proxy, actor=None, now=self.now)
        if accepted:
            assert not used  # RULES 14: a proxy that was used stands

    # --- the meeting -------------------------------------------------------------------------

    @precondition(lambda self: self._meeting_day_reached())
    @rule(first=st.integers(0, 6), count=st.integers(1, 4))
    def members_arrive(self, first: int, count: int) -> None:
        before = self._refresh()
        for offset in range(count):
            accepted = self._attempt(
                roll_entry_check_in,
                roll_entry=self.entries[(first + offset) % len(self.entries)],
                actor=None,
                now=self.now,
            )
            if accepted:  # RULES 31: check-in starts on the meeting's day
                event("checked in")
                assert self._on_meeting_day() or before.meeting_opened_at is not None

    @precondition(lambda self: self._meeting_day_reached())
    @rule()
    def the_bureau_opens_the_meeting(self) -> None:
        for role in ("chair", "scrutineer", "secretary"):
            if self._attempt(
                bureau_seat_add,
                assembly=self._refresh(),
                role=role,
                name="Camille Roux",
                actor=None,
                now=self.now,
            ):
                assert self._on_meeting_day()
        before = self._refresh()
        accepted = self._attempt(meeting_open, assembly=before, actor=None, now=self.now)
        if not accepted:
            return
        event("meeting opened")
        assert before.place  # an online-only assembly has no room to open
        assert self._on_meeting_day()
        assert self.now >= before.starts_at - dt.timedelta(minutes=60)

    @precondition(lambda self: self._meeting_day_reached())
    @rule()
    def open_the_vote(self) -> None:
        before = self._refresh()
        if self._attempt(voting_open, assembly=before, actor=None, now=self.now):
            event("vote opened in the meeting")
            assert before.meeting_opened_at is not None
            assert before.meeting_opening_figures["reached"]

    def _voices_in_room(self, resolution_id: int, college_id: int) -> int:
        """RULES 32, counted here apart: the college's members present, and the principals
        in the college of proxies held by members present, less those who voted in the
        software on the resolution."""
        present = set(
            RollEntry.objects.filter(
                assembly=self.assembly, college_id=college_id, present_at__isnull=False
            ).values_list("pk", flat=True)
        )
        represented = set(
            Proxy.objects.filter(
                assembly=self.assembly,
                revoked_at__isnull=True,
                holder__present_at__isnull=False,
                giver__present_at__isnull=True,
                giver__college_id=college_id,
            ).values_list("giver_id", flat=True)
        )
        voted = set(
            Participation.objects.filter(resolution_id=resolution_id).values_list(
                "roll_entry_id", flat=True
            )
        )
        return len((present | represented) - voted)

    @precondition(lambda self: self._meeting_day_reached())
    @rule(
        which=st.integers(0, 5),
        counts=st.tuples(st.integers(0, 2), st.integers(0, 2), st.integers(0, 1)),
    )
    def the_bureau_counts_the_room(self, which: int, counts: tuple[int, int, int]) -> None:
        before = self._refresh()
        resolutions = list(before.resolutions.order_by("number").values_list("pk", flat=True))
        colleges = list(
            AssemblyCollege.objects.filter(assembly=before).order_by("position", "name")
        )
        resolution_id = resolutions[which % len(resolutions)]
        college = colleges[which % len(colleges)]
        key = (resolution_id, college.pk)
        voices = self._voices_in_room(resolution_id, college.pk)
        votes_for, votes_against, abstentions = counts
        if key in self.room:
            accepted = self._attempt(
                room_count_correct,
                assembly=before,
                room_count=RoomCount.objects.filter(resolution_id=resolution_id, college=college)
                .order_by("-id")
                .first(),
                votes_for=votes_for,
                votes_against=votes_against,
                abstentions=abstentions,
                reason="Recompté à main levée",
                actor=self.bureau,
            )
        else:
            accepted = self._attempt(
                room_count_record,
                assembly=before,
                resolution_id=resolution_id,
                college=college,
                votes_for=votes_for,
                votes_against=votes_against,
                abstentions=abstentions,
                actor=self.bureau,
            )
        if accepted:
            event("room counted")
            assert before.status == Assembly.Status.VOTING_OPEN
            assert sum(counts) <= voices  # RULES 32
            self.room[key] = counts

    @rule()
    def close_the_vote_and_tally(self) -> None:
        before = self._refresh()
        accepted = self._attempt(voting_close, assembly=before, actor=None, now=self.now)
        if accepted:  # RULES 32: no count of the room above its voices when the vote closes
            for (resolution_id, college_id), counts in self.room.items():
                assert sum(counts) <= self._voices_in_room(resolution_id, college_id)
        if accepted and before.status == Assembly.Status.CONVENED:  # an online-only vote
            assert not before.place
            assert self.now >= before.starts_at - dt.timedelta(minutes=60)
        # What the Celery task does once the close is committed; refused unless closed.
        closed = self._refresh()
        if self._attempt(assembly_tally, assembly=closed, now=self.now):
            event("tallied")
            assert closed.status == Assembly.Status.VOTING_CLOSED

    @rule()
    def cancel(self) -> None:
        before = self._refresh()
        if self._attempt(
            assembly_cancel, assembly=before, reason="Salle indisponible", actor=None, now=self.now
        ):
            assert before.status == Assembly.Status.CONVENED
            assert before.meeting_opened_at is None

    @precondition(lambda self: self.assembly.status == Assembly.Status.QUORUM_NOT_REACHED)
    @rule(days=st.integers(min_value=11, max_value=20))
    def second_convocation(self, days: int) -> None:
        first = self._refresh()
        starts = dt.datetime.combine(
            _local(self.now).date() + dt.timedelta(days=days), dt.time(18, 0), tzinfo=PARIS
        )
        try:
            with transaction.atomic():
                second = assembly_prepare_second_convocation(
                    first=first, starts_at=starts, actor=None
                )
                self.assembly = self._convene(second)
        except DomainError:
            assert first.convocation == Assembly.ConvocationNumber.SECOND
            return
        event("second convocation")
        assert first.convocation == Assembly.ConvocationNumber.FIRST
        assert _local(self.assembly.starts_at).date() > _local(first.starts_at).date()

    # --- what must always hold -------------------------------------------------------------

    @invariant()
    def one_voice_per_member_and_a_ballot_for_each(self) -> None:
        assembly = self.assembly
        if assembly is None:
            return
        per_member = Counter(
            Participation.objects.filter(resolution__assembly=assembly).values_list(
                "roll_entry_id", flat=True
            )
        )
        resolutions = assembly.resolutions.count()
        assert set(per_member) == set(self.votes)
        assert all(count == resolutions for count in per_member.values())

    @invariant()
    def the_quorum_was_honoured(self) -> None:
        assembly = self.assembly
        if assembly is None:
            return
        figures = assembly.meeting_opening_figures
        if assembly.status in (
            Assembly.Status.VOTING_OPEN,
            Assembly.Status.VOTING_CLOSED,
            Assembly.Status.PUBLISHED,
        ):
            assert figures is not None and figures["reached"]
            assert figures["total"] >= figures["quorum_required"]
        if assembly.status == Assembly.Status.QUORUM_NOT_REACHED:
            assert figures is not None and not figures["reached"]
            assert not ResolutionResult.objects.filter(resolution__assembly=assembly).exists()

    @invariant()
    def the_results_are_the_votes_accepted(self) -> None:
        if self.assembly is None:
            return
        results = list(
            ResolutionResult.objects.filter(resolution__assembly=self.assembly).order_by(
                "resolution__number"
            )
        )
        if not results:
            return
        totals = Counter(choice for choice, _college in self.votes.values())
        for result in results:
            assert (result.votes_for, result.votes_against, result.abstentions) == (
                totals["for"],
                totals["against"],
                totals["abstain"],
            )
            for line in result.colleges:
                in_college = Counter(
                    choice for choice, college in self.votes.values() if str(college) == line["key"]
                )
                assert (line["for"], line["against"], line["abstain"]) == (
                    in_college["for"],
                    in_college["against"],
                    in_college["abstain"],
                )


AssemblyMachine.TestCase.settings = settings(
    max_examples=30,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def test_an_assembly_through_random_actions_and_a_moving_clock(db) -> None:
    from hypothesis.stateful import run_state_machine_as_test

    run_state_machine_as_test(AssemblyMachine, settings=AssemblyMachine.TestCase.settings)
