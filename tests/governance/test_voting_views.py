"""The ballot pages: choose, review, cast, receipt; results, receipt check, ballot box; controls."""

import csv
import io
import json

import pytest
from django.core import mail
from django.db.models import Value
from django.db.models.functions import Concat
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from governance.models import (
    Assembly,
    AssemblyCollege,
    Participation,
    Proxy,
    RollEntry,
    UrnBallot,
)
from governance.services.voting import assembly_tally
from members.models import Member
from tests.coop.factories import UserFactory
from tests.governance.ballot_box import ballot_box_download
from tests.governance.factories import convened_assembly, members_admitted, statutes_and_register

pytestmark = pytest.mark.django_db


@pytest.fixture
def assembly():
    register = statutes_and_register()
    return convened_assembly(members=members_admitted(register, 3))


def signed_in(client, entry: RollEntry):
    user = UserFactory(roles=["member"], email=entry.member.email)
    Member.objects.filter(pk=entry.member_id).update(user=user)
    client.force_login(user)
    return user


def entries(assembly):
    return list(RollEntry.objects.filter(assembly=assembly).order_by("member_number"))


def ballot_data(assembly, choice="for", **extra):
    data = {f"resolution_{pk}": choice for pk in assembly.resolutions.values_list("pk", flat=True)}
    data.update(extra)
    return data


def test_choose_review_then_cast_gives_a_receipt_by_page_and_mail(
    client, assembly, django_capture_on_commit_callbacks, eager_celery
):
    me = entries(assembly)[0]
    signed_in(client, me)
    url = reverse("governance:ballot", kwargs={"pk": assembly.pk})

    page = client.get(url)
    assert page.status_code == 200
    assert "Abstaining is not a vote expressed" in page.content.decode()

    review = client.post(url, ballot_data(assembly, "against", step="review", voices=[me.pk]))
    assert "Review your vote" in review.content.decode()
    assert not Participation.objects.exists()  # nothing recorded at review

    with django_capture_on_commit_callbacks(execute=True):
        cast = client.post(url, ballot_data(assembly, "against", step="cast", voices=[me.pk]))
    body = cast.content.decode()
    assert "Your vote is cast" in body
    receipt = body.split('<code class="receipt">')[1].split("</code>")[0]
    assert UrnBallot.objects.filter(choice="against").count() == 2  # in the urn until close
    assert "could not be sent" not in body
    (message,) = mail.outbox
    assert receipt in message.body
    assert message.to == [me.member.email]
    assert "against" not in message.body  # the e-mail never says how they voted

    again = client.get(url)
    assert "Every vote you can cast in this assembly has been cast" in again.content.decode()


def test_an_incomplete_ballot_is_refused_with_a_message(client, assembly):
    me = entries(assembly)[0]
    signed_in(client, me)
    url = reverse("governance:ballot", kwargs={"pk": assembly.pk})
    data = ballot_data(assembly, step="cast", voices=[me.pk])
    data.pop(next(iter(data)))
    response = client.post(url, data)
    assert "Choose for, against or abstain on resolution" in response.content.decode()
    assert not Participation.objects.exists()


def test_a_holder_casts_the_same_choice_for_themselves_and_their_principals(
    client, assembly, django_capture_on_commit_callbacks, eager_celery
):
    holder, first, second = entries(assembly)
    Proxy.objects.create(assembly=assembly, giver=first, holder=holder)
    Proxy.objects.create(assembly=assembly, giver=second, holder=holder)
    signed_in(client, holder)
    url = reverse("governance:ballot", kwargs={"pk": assembly.pk})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            ballot_data(assembly, "for", step="cast", voices=[holder.pk, first.pk, second.pk]),
        )
    assert response.content.decode().count('<code class="receipt">') == 3
    assert Participation.objects.filter(cast_by=holder).count() == 4  # 2 principals x 2
    assert len(mail.outbox) == 3
    colleges = sorted(UrnBallot.objects.values_list("college_id", flat=True))
    assert colleges == sorted([e.college_id for e in (holder, first, second)] * 2)


def test_someone_off_the_roll_gets_no_ballot(client, assembly, member_user):
    client.force_login(member_user)
    response = client.get(reverse("governance:ballot", kwargs={"pk": assembly.pk}))
    assert response.status_code == 404


def _close_and_tally(assembly):
    Assembly.objects.filter(pk=assembly.pk).update(
        status=Assembly.Status.VOTING_CLOSED, voting_closed_at=timezone.now()
    )
    assembly_tally(assembly=Assembly.objects.get(pk=assembly.pk))


def test_results_receipt_check_and_a_recount_of_the_published_box(
    client, totp_admin, assembly, django_capture_on_commit_callbacks
):
    admin_client = Client(HTTP_ACCEPT_LANGUAGE="en")
    admin_client.force_login(totp_admin)
    me, other, third = entries(assembly)
    signed_in(client, me)
    url = reverse("governance:ballot", kwargs={"pk": assembly.pk})
    response = client.post(url, ballot_data(assembly, "for", step="cast", voices=[me.pk]))
    receipt = response.content.decode().split('<code class="receipt">')[1].split("</code>")[0]
    from governance.services.ballots import ballot_cast

    resolutions = list(assembly.resolutions.values_list("pk", flat=True))
    ballot_cast(
        assembly=assembly, voter=other, choices=dict.fromkeys(resolutions, "against"), actor=None
    )
    ballot_cast(
        assembly=assembly, voter=third, choices=dict.fromkeys(resolutions, "for"), actor=None
    )
    _close_and_tally(assembly)
    results_url = reverse("governance:results", kwargs={"pk": assembly.pk})
    assert client.get(results_url).status_code == 404  # not published yet

    with django_capture_on_commit_callbacks():
        admin_client.post(
            reverse("governance:vote_action", kwargs={"pk": assembly.pk, "action": "publish"})
        )
    assert Assembly.objects.get(pk=assembly.pk).status == Assembly.Status.PUBLISHED

    page = client.get(results_url).content.decode()
    assert "Adopted" in page
    assert "2/3" in page  # one college, 2 for out of 3 expressed
    # The same arithmetic, written out to be checked by hand.
    assert "Check resolution 1 by hand" in page
    assert "2 for out of 3 expressed, a share for of 2/3 = 2/3" in page
    assert "the resolution is adopted." in page

    # The receipt is checked by POST: a code in a URL would end up in the access logs.
    assert 'method="post"' in page
    by_get = client.get(results_url, {"code": receipt}).content.decode()
    assert "Your ballot is in the ballot box" not in by_get
    check = client.post(results_url, {"code": receipt.lower().replace("-", " ")}).content.decode()
    assert "Your ballot is in the ballot box" in check
    assert "counted as &quot;for&quot;" in check or 'counted as "for"' in check
    wrong = client.post(results_url, {"code": "AAAAA-AAAAA-AAAAA-AAAAA"}).content.decode()
    assert "No ballot in this ballot box has this receipt" in wrong

    box = json.loads(ballot_box_download(client, assembly, "json"))
    for tally in box["tally"]:
        mine = [b for b in box["ballots"] if b["resolution"] == tally["resolution"]]
        assert sum(b["choice"] == "for" for b in mine) == tally["for"] == 2
        assert sum(b["choice"] == "against" for b in mine) == tally["against"] == 1
    assert all(set(b) == {"resolution", "receipt", "college", "choice"} for b in box["ballots"])

    # A college's name is the cooperative's text: a spreadsheet must not run it as a formula.
    AssemblyCollege.objects.filter(assembly=assembly).update(name=Concat(Value("="), "name"))
    raw = ballot_box_download(client, assembly, "csv")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Resolution", "Receipt", "College", "Choice"]
    assert len(rows) == 1 + 6
    assert all(row[2].startswith("'=") and len(row[2]) > 2 for row in rows[1:]), rows
    # Ordered by resolution, then receipt: the order of the rows says nothing of the casts.
    keys = [(int(row[0]), row[1]) for row in rows[1:]]
    assert keys == sorted(keys)


def test_the_chair_opens_closes_and_the_room_count_is_recorded(
    admin_client, assembly, django_capture_on_commit_callbacks
):
    RollEntry.objects.filter(assembly=assembly).update(present_at=timezone.now())
    Assembly.objects.filter(pk=assembly.pk).update(meeting_opened_at=timezone.now())
    control = reverse("governance:vote_control", kwargs={"pk": assembly.pk})
    assert admin_client.get(control).status_code == 200
    admin_client.post(
        reverse("governance:vote_action", kwargs={"pk": assembly.pk, "action": "open"})
    )
    assert Assembly.objects.get(pk=assembly.pk).status == Assembly.Status.VOTING_OPEN

    resolution = assembly.resolutions.order_by("number").first()
    college = entries(assembly)[0].college  # the three members present are in it
    response = admin_client.post(
        reverse("governance:vote_room_count", kwargs={"pk": assembly.pk}),
        {
            "resolution": resolution.pk,
            "college": college.pk,
            "votes_for": 2,
            "votes_against": 1,
            "abstentions": 0,
        },
        follow=True,
    )
    assert "The votes counted in the room are recorded" in response.content.decode()
    twice = admin_client.post(
        reverse("governance:vote_room_count", kwargs={"pk": assembly.pk}),
        {
            "resolution": resolution.pk,
            "college": college.pk,
            "votes_for": 1,
            "votes_against": 1,
            "abstentions": 0,
        },
    )
    assert "already recorded" in twice.content.decode()

    with django_capture_on_commit_callbacks() as callbacks:
        admin_client.post(
            reverse("governance:vote_action", kwargs={"pk": assembly.pk, "action": "close"})
        )
    assert Assembly.objects.get(pk=assembly.pk).status == Assembly.Status.VOTING_CLOSED
    assert len(callbacks) == 2  # the urn's vacuum and the tally


def test_the_assembly_page_leads_to_the_ballot_then_to_the_results(client, assembly):
    me = entries(assembly)[0]
    signed_in(client, me)
    detail = reverse("governance:detail", kwargs={"pk": assembly.pk})
    assert (
        reverse("governance:ballot", kwargs={"pk": assembly.pk})
        in client.get(detail).content.decode()
    )
    Assembly.objects.filter(pk=assembly.pk).update(status=Assembly.Status.PUBLISHED)
    assert (
        reverse("governance:results", kwargs={"pk": assembly.pk})
        in client.get(detail).content.decode()
    )
