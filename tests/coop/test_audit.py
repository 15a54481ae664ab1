"""The audit log: append-only in the database; the administrators' page, its filters and pages."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from coop.audit import AuditAction, audit_record
from coop.models import AuditEvent
from coop.outbox import DeliveryDraft, notice_enqueue
from members.services.invitation import INVITATION_NOTICE, member_reference
from tests.coop.factories import StatutesFactory, UserFactory
from tests.members.factories import admitted, standard_register

pytestmark = pytest.mark.django_db

URL = reverse("coop:audit")


@pytest.fixture
def at(monkeypatch):
    """Record events as if it were a given moment (occurred_at is set by the database row's
    creation and can never be changed afterwards)."""

    def record_at(moment: dt.datetime, **kwargs) -> AuditEvent:
        monkeypatch.setattr(timezone, "now", lambda: moment)
        try:
            return audit_record(**kwargs)
        finally:
            monkeypatch.undo()

    return record_at


def rows(response) -> int:
    return response.content.decode().count('<th scope="row">')


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE coop_auditevent SET action = 'forged' WHERE id = %s",
        "DELETE FROM coop_auditevent WHERE id = %s",
    ],
)
def test_the_database_refuses_to_change_an_audit_event(sql):
    event = audit_record(actor=None, action="job.started", data={"n": 1})
    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [event.pk])
    event.refresh_from_db()
    assert (event.action, event.data) == ("job.started", {"n": 1})


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_members_are_refused(client, member_user):
    client.force_login(member_user)
    assert client.get(URL).status_code == 403


def test_an_administrator_without_totp_is_sent_to_set_it_up(client, admin_user):
    client.force_login(admin_user)
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))


def test_events_newest_first_in_paris_time_with_who_what_object_and_data(admin_client, at):
    statutes = StatutesFactory()
    winter = dt.datetime(2025, 1, 15, 12, 0, tzinfo=dt.UTC)
    summer = dt.datetime(2025, 7, 1, 12, 0, tzinfo=dt.UTC)
    actor = UserFactory(email="ada@example.org")
    at(winter, actor=actor, action="statutes.version_created", target=statutes, data={"b": 1})
    at(summer, actor=None, action="notice.enqueued", data={"a": "é <script>", "n": [1, 2]})
    response = admin_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    # Paris is UTC+1 in winter, UTC+2 in summer; the newest event comes first.
    assert html.index("2025-07-01 14:00:00") < html.index("2025-01-15 13:00:00")
    # Each event reads as a sentence, with the object as people name it: no internal code.
    assert "(ada@example.org) recorded a new version of the statutes." in html
    assert "Volière (automatic) queued a notice for sending." in html
    assert reverse("coop:statutes_detail", args=[statutes.pk]) in html
    assert f": {escape(str(statutes))}</a>" in html  # its kind, then its name
    results = html.split('id="audit-results"', 1)[1]  # the filter's options carry the codes
    assert "statutes.version_created" not in results and "coop.statutes" not in results
    # Compact JSON, escaped.
    assert "{&quot;b&quot;:1}" in html
    assert "{&quot;a&quot;:&quot;é &lt;script&gt;&quot;,&quot;n&quot;:[1,2]}" in html
    assert "<script>" not in html.split('id="audit-results"', 1)[1]


def test_filter_by_action(admin_client):
    audit_record(actor=None, action="member.admitted")
    audit_record(actor=None, action="member.admitted")
    audit_record(actor=None, action="statutes.version_created")
    response = admin_client.get(URL, {"action": "member.admitted"})
    assert rows(response) == 2
    assert "recorded a new version of the statutes." not in response.content.decode()
    assert "2 events match the filter" in response.content.decode()
    # The list of actions to choose from is the actions recorded, named by their sentences.
    choices = response.context["form"].fields["action"].choices
    assert choices == [
        ("", "All actions"),
        ("member.admitted", "Admitted a member"),
        ("statutes.version_created", "Recorded a new version of the statutes"),
    ]


def test_filter_by_actor_email(admin_client):
    ada = UserFactory(email="ada@example.org")
    bob = UserFactory(email="bob@example.org")
    audit_record(actor=ada, action="job.started")
    audit_record(actor=bob, action="job.failed")
    audit_record(actor=bob, action="job.retried")
    response = admin_client.get(URL, {"actor": "BOB@example"})
    assert rows(response) == 2
    assert "ada@example.org" not in response.content.decode()
    response = admin_client.get(URL, {"actor": "ada", "action": "job.failed"})
    assert rows(response) == 0
    assert "No event to show." in response.content.decode()


def test_an_unknown_action_is_reported_and_not_applied(admin_client):
    audit_record(actor=None, action="job.started")
    response = admin_client.get(URL, {"action": "nothing.like.this"})
    assert response.status_code == 200
    assert response.context["form"].errors["action"]
    assert rows(response) == 1


def test_fifty_events_per_page_and_pages_keep_the_filter(admin_client):
    for _ in range(51):
        audit_record(actor=None, action="job.started")
    audit_record(actor=None, action="job.failed")
    first = admin_client.get(URL, {"action": "job.started"})
    assert rows(first) == 50
    html = first.content.decode()
    assert "Page 1 of 2" in html
    assert 'href="?action=job.started&amp;page=2"' in html
    second = admin_client.get(URL, {"action": "job.started", "page": 2})
    assert rows(second) == 1
    assert "saw a long task fail" not in second.content.decode()
    assert rows(admin_client.get(URL, {"page": "not-a-number"})) == 50


def test_query_count_does_not_grow_with_the_rows(admin_client, totp_admin):
    actions = ["job.started", "statutes.version_created", "member.admitted"]
    statutes = StatutesFactory()

    def record(n: int) -> None:
        for i in range(n):
            audit_record(
                actor=totp_admin if i % 2 else None,
                action=actions[i % 3],
                target=statutes if i % 3 == 1 else totp_admin,
                data={"i": i},
            )

    record(3)
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(URL).status_code == 200
    record(120)
    with CaptureQueriesContext(connection) as many:
        assert admin_client.get(URL).status_code == 200
    assert len(many) == len(few)


def test_htmx_requests_get_only_the_results(admin_client):
    audit_record(actor=None, action="job.started")
    response = admin_client.get(URL, {"action": "job.started"}, headers={"HX-Request": "true"})
    html = response.content.decode().strip()
    assert html.startswith('<section id="audit-results"')
    assert "<html" not in html
    assert rows(response) == 1


def test_an_action_without_its_sentence_is_refused():
    with pytest.raises(ValueError):
        audit_record(actor=None, action="assembly.something_new")
    assert not AuditEvent.objects.exists()


def test_every_action_has_its_sentence_in_french_and_english():
    for action in AuditAction:
        with translation.override("en"):
            english = str(action.sentence)
        with translation.override("fr"):
            french = str(action.sentence)
        assert english and french != english, action
        assert "." not in english and "_" not in english, action


def test_a_member_reads_with_number_and_name(admin_client):
    register = standard_register()
    member = admitted(
        register["categories"]["employee"],
        register["colleges"]["employees"],
        first_name="Olympe",
        last_name="Gouges",
    )
    html = admin_client.get(URL).content.decode()
    assert f"member no. {member.number}, Olympe Gouges" in html
    assert "members.member" not in html


def test_notice_keys_in_the_data_read_as_what_they_name(admin_client):
    register = standard_register()
    member = admitted(register["categories"]["employee"], register["colleges"]["employees"])
    audit_record(
        actor=None,
        action="notice.enqueued",
        data={"kind": "membership.invitation", "reference": f"member:{member.pk}"},
    )
    html = admin_client.get(URL).content.decode()
    assert f"member no. {member.number}, Claire Durand" in html
    assert f"member:{member.pk}" not in html


def test_a_notice_reads_as_its_kind_and_subject(admin_client):
    register = standard_register()
    member = admitted(register["categories"]["employee"], register["colleges"]["employees"])
    key = member_reference(member)
    draft = DeliveryDraft(recipient_key=key, to_email="c@example.org", subject="S", body_text="B")
    notice_enqueue(kind=INVITATION_NOTICE, reference=key, deliveries=[draft])
    results = admin_client.get(URL).content.decode().split('id="audit-results"', 1)[1]
    assert f"Invitation to open an account · member no. {member.number}, Claire Durand" in results
    assert f"&quot;{key}&quot;" not in results  # the data names it too
    assert "membership.invitation" not in results
