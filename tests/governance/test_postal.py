"""The paper path (RULES 33, 34): the bureau records postal forms and paper proxies; they
count in the member's college, once, and the quorum, attendance sheet and minutes show them."""

import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import time_format

from coop.errors import DomainError
from coop.models import AuditEvent
from governance.lifecycle import AssemblyRefused
from governance.models import (
    Assembly,
    PaperForm,
    Participation,
    Proxy,
    Resolution,
    RollEntry,
    UrnBallot,
)
from governance.pdfs.minutes import minutes_context
from governance.selectors.figures import assembly_attendance, assembly_figures
from governance.selectors.postal import roll_entry_find
from governance.services.ballots import ballot_cast
from governance.services.meeting import roll_entry_check_in
from governance.services.postal import paper_proxy_record, postal_form_record
from governance.services.voting import assembly_tally, voting_close
from tests.coop.factories import UserFactory
from tests.governance.factories import (
    convened_assembly,
    meeting_today,
    members_admitted,
    statutes_and_register,
)

pytestmark = pytest.mark.django_db


def _members():
    register = statutes_and_register()
    return (
        members_admitted(register, 2, category="employee")
        + members_admitted(register, 2, category="beneficiary")
        + members_admitted(register, 2, category="volunteer")
    )


# Resolution 1 approved by the board, resolution 2 not.
POSITIONS = (True, False)


@pytest.fixture
def bureau():
    return UserFactory(roles=["administrator", "member"], is_staff=True)


@pytest.fixture
def assembly():
    return convened_assembly(members=_members(), resolutions=2, positions=POSITIONS)


def roll(assembly):
    return list(
        RollEntry.objects.filter(assembly=assembly)
        .select_related("college")
        .order_by("member_number")
    )


def in_time(assembly):
    return assembly.distance_vote_deadline - dt.timedelta(hours=2)


def record_vote(assembly, entry, bureau, choices=None, now=None, **extra):
    now = now or in_time(assembly)
    return postal_form_record(
        assembly=assembly,
        roll_entry=entry,
        received_on=timezone.localdate(now),
        option=extra.pop("option", PaperForm.Option.VOTE),
        choices=choices,
        amendments=extra.pop("amendments", PaperForm.Amendments.ABSTAIN),
        actor=bureau,
        now=now,
        **extra,
    )


def test_a_postal_vote_goes_into_the_urn_in_the_members_college_a_blank_is_an_abstention(
    assembly, bureau
):
    first, second = Resolution.objects.filter(assembly=assembly).order_by("number")
    member = roll(assembly)[0]
    form = record_vote(assembly, member, bureau, choices={first.pk: "against", second.pk: None})

    assert form.counted and form.option == "vote"
    participations = Participation.objects.filter(roll_entry=member)
    assert {p.channel for p in participations} == {"distance"}
    assert participations.count() == 2
    ballots = {b.resolution_id: b for b in UrnBallot.objects.filter(resolution__assembly=assembly)}
    assert (ballots[first.pk].choice, ballots[second.pk].choice) == ("against", "abstain")
    assert {b.college_id for b in ballots.values()} == {member.college_id}
    # What was voted is nowhere next to the member: not on the form, not in the audit.
    columns = {f.column for f in PaperForm._meta.concrete_fields}
    assert not columns & {"choice", "choices", "votes"}
    event = AuditEvent.objects.get(action="assembly.paper_form_recorded")
    assert "against" not in str(event.data)
    assert set(event.data) == {
        "member_number",
        "document",
        "option",
        "holder",
        "amendments",
        "received_on",
        "counted",
    }


def test_a_blank_proxy_votes_as_the_board_recommends_and_counts_as_represented(assembly, bureau):
    first, second = Resolution.objects.filter(assembly=assembly).order_by("number")
    principal = roll(assembly)[2]
    paper_proxy_record(
        assembly=assembly,
        roll_entry=principal,
        received_on=timezone.localdate(in_time(assembly)),
        actor=bureau,
        now=in_time(assembly),
    )
    ballots = {b.resolution_id: b for b in UrnBallot.objects.filter(resolution__assembly=assembly)}
    assert (ballots[first.pk].choice, ballots[second.pk].choice) == ("for", "against")
    assert ballots[first.pk].college_id == principal.college_id  # the principal's college
    figures = assembly_figures(assembly=Assembly.objects.select_related("statutes").get())
    assert (figures.represented, figures.blank_proxies, figures.distance) == (1, 1, 0)


def test_a_resolution_without_a_stated_position_gets_the_chairs_vote_against(assembly, bureau):
    """Written before the paper path: RULES 34 puts it among "the others"."""
    assembly = convened_assembly(members=_members(), resolutions=2)
    postal_form_record(
        assembly=assembly,
        roll_entry=roll(assembly)[0],
        received_on=timezone.localdate(in_time(assembly)),
        option=PaperForm.Option.CHAIR,
        amendments=PaperForm.Amendments.CHAIR,
        actor=bureau,
        now=in_time(assembly),
    )
    assert set(UrnBallot.objects.values_list("choice", flat=True)) == {"against"}


def test_a_named_holder_on_paper_is_a_proxy_under_the_same_limits(assembly, bureau):
    entries = roll(assembly)
    form = record_vote(
        assembly,
        entries[0],
        bureau,
        option=PaperForm.Option.HOLDER,
        holder=entries[1],
        amendments=PaperForm.Amendments.HOLDER,
        amendments_holder=entries[1],
    )
    proxy = Proxy.objects.get(giver=entries[0])
    assert (proxy.holder, proxy.given_by, form.proxy) == (entries[1], bureau, proxy)
    assert not UrnBallot.objects.exists()
    # Six members on the roll: one proxy per holder (RULES 14); the second is refused and
    # nothing of it is written.
    with pytest.raises(DomainError, match="already holds 1 proxy"):
        paper_proxy_record(
            assembly=assembly,
            roll_entry=entries[2],
            received_on=timezone.localdate(in_time(assembly)),
            holder=entries[1],
            actor=bureau,
            now=in_time(assembly),
        )
    assert not PaperForm.objects.filter(roll_entry=entries[2]).exists()
    # The holder named on paper votes for the member online; the member cannot.
    resolutions = dict.fromkeys(assembly.resolutions.values_list("pk", flat=True), "for")
    with pytest.raises(DomainError, match=r"A postal form for .* was recorded on"):
        ballot_cast(
            assembly=assembly,
            voter=entries[0],
            choices=resolutions,
            actor=None,
            now=in_time(assembly),
        )
    outcome = ballot_cast(
        assembly=assembly,
        voter=entries[1],
        principal=entries[0],
        choices=resolutions,
        actor=None,
        now=in_time(assembly),
    )
    assert outcome.for_entry == entries[0]


def test_one_voice_the_first_recorded_stands_with_what_came_first(assembly, bureau):
    entries = roll(assembly)
    resolutions = dict.fromkeys(assembly.resolutions.values_list("pk", flat=True), "for")
    voted_at = in_time(assembly) - dt.timedelta(hours=1)
    ballot_cast(assembly=assembly, voter=entries[0], choices=resolutions, actor=None, now=voted_at)
    # The audit event of the vote gives its time (participations have none).
    event = AuditEvent.objects.get(action="assembly.vote_participation")
    when = timezone.localtime(event.occurred_at)
    with pytest.raises(DomainError) as refused:
        record_vote(assembly, entries[0], bureau)
    assert refused.value.code == "already_voted"
    assert f"{entries[0].name} already voted online on" in str(refused.value)
    assert time_format(when.time(), "TIME_FORMAT") in str(refused.value)

    form = record_vote(assembly, entries[1], bureau)
    with pytest.raises(DomainError) as twice:
        record_vote(assembly, entries[1], bureau, option=PaperForm.Option.CHAIR)
    assert twice.value.code == "paper_form_recorded"
    assert f"A postal form for {entries[1].name} was recorded on" in str(twice.value)
    # Online casting is refused too, saying why.
    with pytest.raises(DomainError, match=r"A postal form for .* was recorded on") as online:
        ballot_cast(
            assembly=assembly,
            voter=entries[1],
            choices=resolutions,
            actor=None,
            now=in_time(assembly),
        )
    assert online.value.code == "paper_form_recorded"
    assert PaperForm.objects.filter(roll_entry=entries[1]).get() == form
    assert Participation.objects.filter(roll_entry=entries[1]).count() == 2


def test_every_refusal_says_why_and_writes_nothing(assembly, bureau):
    entries = roll(assembly)
    other = convened_assembly(members=[entries[0].member], resolutions=1)
    stranger = RollEntry.objects.get(assembly=other)
    with pytest.raises(DomainError, match="not on the roll of this assembly") as not_on_roll:
        record_vote(assembly, stranger, bureau)
    assert not_on_roll.value.code == "not_on_roll"

    foreign = Resolution.objects.get(assembly=other)
    with pytest.raises(DomainError, match="resolution of another assembly"):
        record_vote(assembly, entries[0], bureau, choices={foreign.pk: "for"})

    with pytest.raises(AssemblyRefused, match="is in the future"):
        postal_form_record(
            assembly=assembly,
            roll_entry=entries[0],
            received_on=timezone.localdate(in_time(assembly)) + dt.timedelta(days=1),
            option=PaperForm.Option.VOTE,
            amendments=PaperForm.Amendments.ABSTAIN,
            actor=bureau,
            now=in_time(assembly),
        )
    with pytest.raises(DomainError, match="cannot name themselves"):
        record_vote(assembly, entries[0], bureau, option="holder", holder=entries[0])
    with pytest.raises(DomainError, match="three options"):
        record_vote(assembly, entries[0], bureau, option="")

    # Checked in at the meeting: they vote there.
    RollEntry.objects.filter(pk=entries[3].pk).update(present_at=in_time(assembly))
    with pytest.raises(DomainError, match="was checked in at the meeting"):
        record_vote(assembly, RollEntry.objects.get(pk=entries[3].pk), bureau)

    # After the vote closed.
    Assembly.objects.filter(pk=assembly.pk).update(status=Assembly.Status.VOTING_CLOSED)
    closed = Assembly.objects.get(pk=assembly.pk)
    with pytest.raises(AssemblyRefused, match="until the vote closes"):
        record_vote(closed, entries[0], bureau)
    assert not PaperForm.objects.exists()
    assert not Participation.objects.exists() and not UrnBallot.objects.exists()


def test_a_bad_reference_finds_nobody_a_good_one_finds_the_member(assembly):
    from governance.references import roll_reference

    entry = roll(assembly)[0]
    reference = roll_reference(entry)
    assert roll_entry_find(assembly=assembly, text=reference.lower()) == entry
    assert roll_entry_find(assembly=assembly, text=str(entry.member_number)) == entry
    wrong = reference[:-2] + ("AB" if not reference.endswith("AB") else "CD")
    assert roll_entry_find(assembly=assembly, text=wrong) is None
    assert roll_entry_find(assembly=assembly, text="A999-0001-AB") is None


def test_a_late_form_is_recorded_as_late_and_counts_for_nothing(assembly, bureau):
    entries = roll(assembly)
    late = assembly.distance_vote_deadline + dt.timedelta(minutes=5)
    form = record_vote(assembly, entries[0], bureau, now=late)
    assert not form.counted
    assert not Participation.objects.exists() and not UrnBallot.objects.exists()
    proxy_form = paper_proxy_record(
        assembly=assembly,
        roll_entry=entries[1],
        received_on=timezone.localdate(late),
        holder=entries[2],
        actor=bureau,
        now=late,
    )
    assert not proxy_form.counted and not Proxy.objects.exists()
    figures = assembly_figures(assembly=Assembly.objects.select_related("statutes").get())
    assert (figures.distance, figures.represented, figures.postal) == (0, 0, 0)


def test_a_postal_voter_is_not_checked_in_to_vote_again(bureau):
    starts_at = meeting_today()
    assembly = convened_assembly(
        members=_members(), resolutions=2, starts_at=starts_at, distance_vote_deadline=starts_at
    )
    entry = roll(assembly)[0]
    assert record_vote(assembly, entry, bureau, now=timezone.now()).counted
    with pytest.raises(DomainError, match=r"A postal form for .* was recorded on"):
        roll_entry_check_in(roll_entry=entry, actor=bureau)


def _online_only():
    starts_at = meeting_today()
    assembly = convened_assembly(
        members=_members(),
        resolutions=2,
        starts_at=starts_at,
        place="",
        online_access="https://visio.example.org/ag",
        distance_vote_deadline=starts_at - dt.timedelta(hours=1),
        positions=POSITIONS,
    )
    return assembly


def test_the_tally_counts_paper_votes_in_the_right_colleges_and_the_minutes_say_so(bureau):
    assembly = _online_only()
    first, second = Resolution.objects.filter(assembly=assembly).order_by("number")
    entries = roll(assembly)  # employees 0-1, beneficiaries 2-3, supporters 4-5
    now = timezone.now()
    # An employee votes by post against resolution 1, leaves 2 blank; a beneficiary gives a
    # blank proxy (for 1, against 2); a supporter votes online for both.
    record_vote(assembly, entries[0], bureau, choices={first.pk: "against"}, now=now)
    paper_proxy_record(
        assembly=assembly,
        roll_entry=entries[2],
        received_on=timezone.localdate(now),
        actor=bureau,
        now=now,
    )
    ballot_cast(
        assembly=assembly,
        voter=entries[4],
        choices={first.pk: "for", second.pk: "for"},
        actor=None,
        now=now,
    )
    figures = assembly_figures(assembly=Assembly.objects.select_related("statutes").get())
    assert (figures.distance, figures.postal, figures.represented, figures.blank_proxies) == (
        2,
        1,
        1,
        1,
    )
    assert figures.total == 3  # 1/5 of 6 members is 2: the quorum is reached

    attendance = assembly_attendance(assembly=assembly)
    how = {line.entry.pk: line.how for line in attendance.lines}
    assert how == {entries[0].pk: "postal", entries[2].pk: "chair", entries[4].pk: "distance"}

    closed = voting_close(assembly=assembly, actor=bureau, now=now)
    assert closed.status == Assembly.Status.VOTING_CLOSED
    assembly_tally(assembly=closed)
    lines = {
        r.pk: {line["name"]: line for line in r.result.colleges}
        for r in Resolution.objects.filter(assembly=assembly).select_related("result")
    }
    employees, users, supporters = "Salariés", "Bénéficiaires", "Soutiens"
    assert (lines[first.pk][employees]["against"], lines[first.pk][employees]["for"]) == (1, 0)
    assert lines[second.pk][employees]["abstain"] == 1
    assert (lines[first.pk][users]["for"], lines[second.pk][users]["against"]) == (1, 1)
    assert (lines[first.pk][supporters]["for"], lines[second.pk][supporters]["for"]) == (1, 1)

    html = render_to_string("governance/minutes/pdf.html", minutes_context(assembly=closed))
    text = " ".join(html.split())
    assert "1 member voted by post" in text
    assert "1 member gave a blank proxy to the chair, counted as represented" in text
    assert "The board recommends adopting this resolution." in text
    assert "The board does not recommend adopting this resolution." in text
    sheet = render_to_string(
        "governance/meeting/pdf/attendance.html",
        {
            "assembly": closed,
            "attendance": assembly_attendance(assembly=closed),
            "figures": assembly_attendance(assembly=closed).figures,
        },
    )
    assert "voted by post" in sheet and "represented by the chair (blank proxy)" in sheet


def test_a_revoked_paper_proxy_gives_the_member_their_voice_back(assembly, bureau):
    from governance.services.proxies import proxy_revoke

    entries = roll(assembly)
    form = paper_proxy_record(
        assembly=assembly,
        roll_entry=entries[0],
        received_on=timezone.localdate(in_time(assembly)),
        holder=entries[1],
        actor=bureau,
        now=in_time(assembly),
    )
    proxy_revoke(proxy=form.proxy, actor=bureau, now=in_time(assembly))
    outcome = ballot_cast(
        assembly=assembly,
        voter=entries[0],
        choices=dict.fromkeys(assembly.resolutions.values_list("pk", flat=True), "for"),
        actor=None,
        now=in_time(assembly),
    )
    assert outcome.for_entry == entries[0]


def test_a_second_convocation_reads_the_references_printed_for_the_first(bureau):
    from governance.references import roll_reference

    members = _members()
    first = convened_assembly(members=members, resolutions=2, positions=POSITIONS)
    Assembly.objects.filter(pk=first.pk).update(status=Assembly.Status.QUORUM_NOT_REACHED)
    second = convened_assembly(
        members=members,
        resolutions=2,
        positions=POSITIONS,
        convocation=Assembly.ConvocationNumber.SECOND,
        first_convocation=first,
    )
    old = RollEntry.objects.filter(assembly=first).order_by("member_number").first()
    found = roll_entry_find(assembly=second, text=roll_reference(old))
    assert (found.assembly_id, found.member_id) == (second.pk, old.member_id)
    # Received for the first convocation, before the second was convened: it counts.
    Assembly.objects.filter(pk=first.pk).update(
        convened_at=second.convened_at - dt.timedelta(days=20)
    )
    second = Assembly.objects.select_related("first_convocation").get(pk=second.pk)
    form = postal_form_record(
        assembly=second,
        roll_entry=found,
        received_on=timezone.localdate(second.convened_at) - dt.timedelta(days=10),
        option=PaperForm.Option.CHAIR,
        amendments=PaperForm.Amendments.CHAIR,
        actor=bureau,
        now=in_time(second),
    )
    assert form.counted
