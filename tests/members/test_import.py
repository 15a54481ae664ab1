"""Importing a register from CSV: all rows or none, every problem with its line, same command."""

import csv
import datetime as dt
import io
import os
import subprocess
import sys
from itertools import pairwise
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from coop.models import AuditEvent, Job
from members.imports import IMPORT_COLUMNS, ImportProblem, ImportReport, register_import
from members.models import Member, MemberNumberCounter, RegisterEvent
from members.selectors import register_at
from members.services import member_admit
from members.services.events import member_snapshot
from tests.coop.factories import StatutesFactory, UserFactory
from tests.members.factories import admitted, apply, standard_register

pytestmark = pytest.mark.django_db

HEADER = (
    "number;status;person_kind;first_name;last_name;legal_name;representative_name;email;"
    "category;college;applied_on;admitted_on;admission_ref;ratified_on;ratification_ref;"
    "exited_on;exit_ref;e_notices"
)
GOOD_ROWS = [
    # line 2: a ratified member
    "5;ratified;natural;Claire;Durand;;;claire@example.org;employee;employees;2015-01-10;"
    "2015-02-01;CA 2015-02;2015-06-20;AGO 2015;;;oui",
    # line 3: a legal person admitted, awaiting ratification; French dates
    "12;admitted;legal;;;Mairie de Voiron;Anne Roux;;public;supporters;;03/03/2024;CA 2024-03;"
    ";;;;non",
    # line 4: a member who left
    "40;resigned;natural;Jean;Martin;;;;beneficiary;users;;2018-04-01;CA 2018-04;2018-06-15;"
    "AGO 2018;2023-12-31;Lettre du 1er décembre 2023;",
]


def csv_file(*lines: str) -> io.StringIO:
    return io.StringIO("\r\n".join(lines) + "\r\n", newline="")


@pytest.fixture
def register(db):
    StatutesFactory(effective_from=dt.date(2010, 1, 1))
    return standard_register()


@pytest.fixture
def actor(db):
    return UserFactory(roles=["administrator"], is_staff=True)


def _test_database_url() -> str:
    """The pytest database (test_...), for a command run in another process."""
    params = connection.settings_dict
    credentials = quote(params["USER"] or "", safe="")
    if params.get("PASSWORD"):
        credentials += ":" + quote(params["PASSWORD"], safe="")
    host = params["HOST"] or "127.0.0.1"
    return f"postgres://{credentials}@{host}:{params['PORT'] or 5432}/{quote(params['NAME'])}"


def nothing_written() -> bool:
    return not Member.objects.exists() and not RegisterEvent.objects.exists()


# --- The service -----------------------------------------------------------------------------


def test_import_creates_every_member_with_its_number_dates_and_one_event(register, actor):
    report = register_import(file=csv_file(HEADER, *GOOD_ROWS), actor=actor)

    assert report.ok, report.problems
    assert (report.created, report.numbers, report.next_number) == (3, (5, 40), 41)
    claire = Member.objects.get(number=5)
    assert (claire.status, claire.college.code, claire.category.code) == (
        "ratified",
        "employees",
        "employee",
    )
    assert (claire.admitted_on, claire.admission_ref) == (dt.date(2015, 2, 1), "CA 2015-02")
    assert (claire.ratified_on, claire.ratification_ref) == (dt.date(2015, 6, 20), "AGO 2015")
    assert claire.e_notices and claire.e_notices_changed_at is not None
    mairie = Member.objects.get(number=12)
    assert (mairie.display_name, mairie.representative_name) == ("Mairie de Voiron", "Anne Roux")
    assert mairie.applied_on == mairie.admitted_on == dt.date(2024, 3, 3)
    jean = Member.objects.get(number=40)
    assert (jean.status, jean.exited_on) == ("resigned", dt.date(2023, 12, 31))

    # One "imported" event per dated step of each entry, by the actor: the register at an
    # earlier date shows each member as they stood then.
    assert set(RegisterEvent.objects.values_list("kind", flat=True)) == {"imported"}
    assert not RegisterEvent.objects.exclude(actor=actor).exists()
    steps = {
        number: [
            (e.effective_on, e.snapshot["status"], e.decision_ref)
            for e in RegisterEvent.objects.filter(member__number=number).order_by("id")
        ]
        for number in (5, 12, 40)
    }
    assert steps[5] == [
        (dt.date(2015, 2, 1), "admitted", "CA 2015-02"),
        (dt.date(2015, 6, 20), "ratified", "AGO 2015"),
    ]
    assert steps[12] == [(dt.date(2024, 3, 3), "admitted", steps[12][0][2])]
    assert steps[40][-1] == (dt.date(2023, 12, 31), "resigned", "Lettre du 1er décembre 2023")
    assert steps[40][0][1] == "admitted"
    (claire_in_march_2015,) = [
        e for e in register_at(on=dt.date(2015, 3, 1)) if e.snapshot["number"] == 5
    ]
    assert claire_in_march_2015.snapshot["status"] == "admitted"
    assert claire_in_march_2015.snapshot["ratified_on"] is None
    assert AuditEvent.objects.filter(action="members.imported", data__count=3).exists()
    # The register at a date now holds them.
    assert [e.snapshot["number"] for e in register_at(on=dt.date(2024, 6, 1))] == [5, 12, 40]


def instants(snapshot: dict) -> dict:
    """The snapshot with its times read as instants (the import writes them in local time)."""
    changed_at = snapshot["e_notices_changed_at"]
    return {
        **snapshot,
        "e_notices_changed_at": changed_at and dt.datetime.fromisoformat(changed_at),
    }


def test_each_imported_event_holds_the_entry_and_its_audit_event_the_same_changes(register, actor):
    report = register_import(file=csv_file(HEADER, *GOOD_ROWS), actor=actor)
    assert report.ok, report.problems

    for member in Member.objects.select_related("category", "college"):
        events = list(RegisterEvent.objects.filter(member=member).order_by("id"))
        # The last step is the entry as stored; the first event's changes are the whole entry,
        # each later one's only what changed.
        assert instants(events[-1].snapshot) == instants(member_snapshot(member))
        assert events[0].changes == events[0].snapshot
        for earlier, later in pairwise(events):
            assert later.changes == {
                key: value
                for key, value in later.snapshot.items()
                if earlier.snapshot.get(key) != value
            }
            assert later.changes  # each step changes something
        for event in events:
            audit = AuditEvent.objects.get(
                action="member.imported", data__event=event.pk, target_id=str(member.pk)
            )
            assert audit.data == {
                "event": event.pk,
                "effective_on": event.effective_on.isoformat(),
                "changes": event.changes,
            }
            assert (audit.actor_id, audit.actor_label) == (actor.pk, actor.email)
    claire = RegisterEvent.objects.filter(member__number=5).order_by("id").last()
    assert claire.changes == {
        "status": "ratified",
        "ratified_on": "2015-06-20",
        "ratification_ref": "AGO 2015",
    }


def test_the_report_counts_in_words_and_in_the_readers_numbers():
    one = ImportReport(rows=1, created=1, numbers=(5, 5), next_number=6)
    many = ImportReport(rows=12345, created=12345, numbers=(1, 12345), next_number=12346)
    failed = ImportReport(rows=2, problems=[ImportProblem(2, "number", "?")] * 2)
    assert one.lines()[0] == "One member imported, number 5."
    assert many.lines()[0] == "12,345 members imported, numbers 1 to 12345."
    assert failed.lines()[0].startswith("Nothing was imported: 2 problems found.")
    with translation.override("fr"):
        assert one.lines()[0] == "Un membre importé, numéro 5."
        assert many.lines()[0] == "12\u202f345 membres importés, numéros 1 à 12345."
        assert failed.lines()[0].startswith("Rien n\u2019a été importé : 2 problèmes trouvés.")
        failed.problems = failed.problems[:1]
        assert failed.lines()[0].startswith("Rien n\u2019a été importé : 1 problème trouvé.")


def test_admissions_after_an_import_continue_after_the_highest_number(register, actor):
    before = admitted(
        register["categories"]["employee"], register["colleges"]["employees"], last_name="Avant"
    )
    assert before.number == 1
    assert register_import(file=csv_file(HEADER, *GOOD_ROWS), actor=actor).ok
    assert MemberNumberCounter.objects.get().last_number == 40
    newcomer = member_admit(
        member=apply(register["categories"]["volunteer"], last_name="Après"),
        decided_on=dt.date(2025, 2, 1),
        decision_ref="CA 2025-02",
        college=register["colleges"]["supporters"],
        actor=actor,
    )
    assert newcomer.number == 41


def test_one_bad_row_writes_nothing_and_reports_its_line(register, actor):
    bad = GOOD_ROWS[1].replace(";;public;", ";anne@@example;public;")
    report = register_import(file=csv_file(HEADER, GOOD_ROWS[0], bad, GOOD_ROWS[2]), actor=actor)

    assert not report.ok
    assert [(p.line, p.column) for p in report.problems] == [(3, "email")]
    assert "anne@@example" in report.problems[0].message
    assert report.created == 0
    assert nothing_written()
    assert not MemberNumberCounter.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="member").exists()


def test_every_bad_row_is_reported_with_its_line_and_reason(register, actor):
    admitted(register["categories"]["employee"], register["colleges"]["employees"])  # number 1
    future = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    ok = "7;ratified;natural;A;Alpha;;;;employee;employees;;2015-02-01;CA;2015-06-20;AGO;;;"
    rows = {
        3: "8;ratified;natural;B;;;;;employee;employees;;2015-02-01;CA;2015-06-20;AGO;;;",
        4: "9;ratified;natural;C;Gamma;;;;nope;employees;;2015-02-01;CA;2015-06-20;AGO;;;",
        5: "10;ratified;natural;D;Delta;;;;employee;nowhere;;2015-02-01;CA;2015-06-20;AGO;;;",
        6: "11;ratified;natural;E;Epsilon;;;;employee;employees;;2015-02-31;CA;2015-06-20;AGO;;;",
        7: "7;ratified;natural;F;Phi;;;;employee;employees;;2015-02-01;CA;2015-06-20;AGO;;;",
        8: "1;ratified;natural;G;Gamma;;;;employee;employees;;2015-02-01;CA;2015-06-20;AGO;;;",
        9: "13;ratified;natural;H;Eta;;;h@;employee;employees;;2015-02-01;CA;2015-06-20;AGO;;;",
        10: "14;member;natural;I;Iota;;;;employee;employees;;2015-02-01;CA;2015-06-20;AGO;;;",
        11: "15;resigned;natural;J;Jota;;;;employee;employees;;2015-02-01;CA;;;;Lettre;",
        12: f"16;admitted;natural;K;Kappa;;;;employee;employees;;{future};CA;;;;;",
        13: "17;ratified;natural;L;Lambda;;;;employee;employees;;2015-02-01;CA;2014-06-20;AGO;;;",
        14: "18;ratified;natural;M;Mu;;;;employee;employees;;2015-02-01;CA;2015-06-20;AGO;;;yes",
        15: "x;ratified;natural;N;Nu;;;;employee;employees;;2015-02-01;CA;2015-06-20;AGO;;;",
    }
    report = register_import(file=csv_file(HEADER, ok, *rows.values()), actor=actor)

    found = {(p.line, p.column) for p in report.problems}
    assert found == {
        (3, "last_name"),  # missing name
        (4, "category"),  # unknown category code
        (5, "college"),  # unknown college code
        (6, "admitted_on"),  # not a date
        (7, "number"),  # duplicate of line 2
        (8, "number"),  # already given in the register
        (9, "email"),  # malformed
        (10, "status"),  # unknown status
        (11, "exited_on"),  # exit without date
        (12, "admitted_on"),  # in the future
        (13, "ratified_on"),  # before the admission
        (14, "e_notices"),  # consent without an address
        (15, "number"),  # not a number
    }
    messages = {(p.line, p.column): p.message for p in report.problems}
    assert "already given on line 2" in messages[(7, "number")]
    assert "never reused" in messages[(8, "number")]
    assert "in the future" in messages[(12, "admitted_on")]
    assert Member.objects.count() == 1  # only the one admitted before
    assert RegisterEvent.objects.filter(kind="imported").count() == 0


def test_header_problems_are_reported_on_line_one(register, actor):
    header = HEADER.replace("email", "courriel").replace("college;", "")
    rows = [row.replace(";employees;", ";") for row in GOOD_ROWS[:1]]
    report = register_import(file=csv_file(header, *rows), actor=actor)
    assert {(p.line, p.column) for p in report.problems} == {(1, "courriel"), (1, "college")}
    assert any("Unknown column" in p.message for p in report.problems)
    assert nothing_written()


def test_commas_and_quoted_cells_are_read(register, actor):
    rows = [
        "number,status,last_name,first_name,address,category,college,admitted_on,admission_ref",
        '3,admitted,Durand,Claire,"12, rue des Alpes",employee,employees,2024-01-05,CA 1',
    ]
    report = register_import(file=csv_file(*rows), actor=actor)
    assert report.ok, report.problems
    member = Member.objects.get(number=3)
    assert (member.address, member.country) == ("12, rue des Alpes", "France")


def test_a_line_with_too_many_cells_is_refused(register, actor):
    report = register_import(file=csv_file(HEADER, GOOD_ROWS[0] + ";extra"), actor=actor)
    assert [(p.line, p.column) for p in report.problems] == [(2, "")]
    assert "cells" in report.problems[0].message
    assert nothing_written()


def test_a_file_not_in_utf8_is_refused_with_a_clear_message(register, actor):
    raw = "\r\n".join([HEADER, GOOD_ROWS[2]]).encode("latin-1")
    stream = io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8-sig", newline="")
    report = register_import(file=stream, actor=actor)
    assert len(report.problems) == 1
    assert report.problems[0].line is None
    assert "not encoded in UTF-8" in report.problems[0].message
    assert nothing_written()


def test_an_empty_file_is_refused(register, actor):
    report = register_import(file=io.StringIO("\ufeff\r\n"), actor=actor)
    assert "empty" in report.problems[0].message
    assert nothing_written()


# --- The template ----------------------------------------------------------------------------


def test_the_template_has_every_column_and_its_example_imports(register, admin_client, actor):
    response = admin_client.get(reverse("members:import_template"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("utf-8-sig")
    header, example = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert header == list(IMPORT_COLUMNS)
    assert example[header.index("category")] in {"employee", "beneficiary", "volunteer", "public"}
    report = register_import(file=io.StringIO(text, newline=""), actor=actor)
    assert report.ok, report.problems
    assert Member.objects.get().display_name == "Claire Durand"


# --- The page --------------------------------------------------------------------------------


def upload(content: bytes, name: str = "register.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def import_through_the_page(client, run_jobs, content: bytes):
    """Upload the file: the page starts a job and sends to its page, where the job (run as a
    worker would) shows what it did."""
    response = run_jobs(
        lambda: client.post(reverse("members:register_import"), {"file": upload(content)})
    )
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == "done", job.error
    assert job.kind == "members.register_import"
    return job, client.get(response["Location"]).content.decode()


def test_page_imports_a_good_file_and_says_how_many(register, admin_client, run_jobs):
    content = ("\ufeff" + "\r\n".join([HEADER, *GOOD_ROWS])).encode()
    job, page = import_through_the_page(admin_client, run_jobs, content)
    assert "3 members imported, numbers 5 to 40." in page
    assert "The next admission will receive number 41." in page
    assert "<title>Error:" not in page
    assert Member.objects.count() == 3
    assert (job.progress_done, job.progress_total) == (3, 3)
    # The events are recorded for the administrator who uploaded the file.
    assert set(RegisterEvent.objects.values_list("actor", flat=True)) == {job.created_by_id}
    assert AuditEvent.objects.filter(action="member.imported").count() == 6  # one per event
    assert RegisterEvent.objects.count() == 6
    audited = AuditEvent.objects.filter(action="member.imported")
    assert {audit.data["event"] for audit in audited} == set(
        RegisterEvent.objects.values_list("id", flat=True)
    )
    assert {audit.actor_id for audit in audited} == {job.created_by_id}


def test_page_shows_every_problem_in_a_table_and_writes_nothing(register, admin_client, run_jobs):
    bad = GOOD_ROWS[2].replace(";2023-12-31;", ";;")  # resigned, without an exit date
    content = "\r\n".join([HEADER, GOOD_ROWS[0], GOOD_ROWS[1], bad]).encode()
    job, page = import_through_the_page(admin_client, run_jobs, content)
    assert "<title>Error:" in page
    assert "Nothing was imported: 1 problem found." in page
    assert '<th scope="row">4</th>' in page
    assert "<code>exited_on</code>" in page
    assert "give the date of the exit" in page
    assert nothing_written()
    # The whole report, as a file to download.
    response = admin_client.get(reverse("jobs:download", args=[job.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="import-report.csv"'
    rows = list(
        csv.reader(
            io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"
        )
    )
    assert rows[0] == ["Line", "Column", "Problem"]
    assert rows[1][:2] == ["4", "exited_on"] and "give the date of the exit" in rows[1][2]


def test_a_large_file_with_many_problems_reports_them_all_in_the_file(
    register, admin_client, run_jobs
):
    bad = "7;ratified;natural;A;Alpha;;;x@;employee;employees;;2015-02-01;CA;2015-06-20;AGO;;;"
    lines = [bad.replace("7;", f"{number};", 1) for number in range(100, 1300)]
    job, page = import_through_the_page(
        admin_client, run_jobs, "\r\n".join([HEADER, *lines]).encode()
    )
    assert "The first 500 problems of 1200 are shown." in page
    assert page.count('<th scope="row">') == 500
    content = b"".join(admin_client.get(reverse("jobs:download", args=[job.pk])).streaming_content)
    assert content.decode("utf-8-sig").count("\r\n") == 1201
    assert nothing_written()


def test_page_explains_a_file_in_another_encoding(register, admin_client, run_jobs):
    content = "\r\n".join([HEADER, GOOD_ROWS[2]]).encode("cp1252")
    _job, page = import_through_the_page(admin_client, run_jobs, content)
    assert "not encoded in UTF-8" in page
    assert "whole file" in page
    assert nothing_written()


def test_page_without_a_file_says_so(register, admin_client, jobs_root):
    response = admin_client.post(reverse("members:register_import"), {})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not Job.objects.exists()
    assert nothing_written()


@pytest.mark.parametrize("name", ["members:register_import", "members:import_template"])
def test_members_cannot_import(client, member_user, name, jobs_root):
    client.force_login(member_user)
    assert client.get(reverse(name)).status_code == 403
    response = client.post(reverse("members:register_import"), {"file": upload(HEADER.encode())})
    assert response.status_code == 403
    assert not Job.objects.exists()
    assert nothing_written()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("members:register_import"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# --- The command -----------------------------------------------------------------------------


def test_command_imports_and_prints_the_report(register, tmp_path, capsys):
    path = tmp_path / "register.csv"
    path.write_text("\r\n".join([HEADER, *GOOD_ROWS]), encoding="utf-8-sig")
    with translation.override("en"):
        call_command("import_members", str(path))
    out = capsys.readouterr().out
    assert "3 members imported, numbers 5 to 40." in out
    assert Member.objects.count() == 3
    assert not RegisterEvent.objects.filter(member__number=5, actor__isnull=False).exists()


def test_command_records_the_actor_given(register, actor, tmp_path):
    path = tmp_path / "register.csv"
    path.write_text("\r\n".join([HEADER, GOOD_ROWS[0]]), encoding="utf-8")
    call_command("import_members", str(path), actor=actor.email.upper())
    assert set(RegisterEvent.objects.values_list("actor", flat=True)) == {actor.pk}


def test_command_exits_non_zero_with_the_same_report_and_writes_nothing(transactional_db, tmp_path):
    """The real `manage.py import_members`, in its own process, on the test database."""
    StatutesFactory(effective_from=dt.date(2010, 1, 1))
    standard_register()
    bad = GOOD_ROWS[1].replace(";;public;", ";anne@@example;public;")
    path = tmp_path / "register.csv"
    path.write_text("\r\n".join([HEADER, GOOD_ROWS[0], bad]), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "manage.py", "import_members", str(path)],
        cwd=settings.BASE_DIR,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "coop.settings.test",
            "DATABASE_URL": _test_database_url(),
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert done.stdout == ""
    # The same report as the page: the line, the column and the reason (in any language).
    (line,) = [line for line in done.stderr.splitlines() if "anne@@example" in line]
    assert "3" in line and "email" in line
    assert str(path) in done.stderr.splitlines()[-1]
    assert nothing_written()


def test_command_refuses_a_missing_file(register, tmp_path):
    with translation.override("en"), pytest.raises(CommandError, match="Cannot read"):
        call_command("import_members", str(tmp_path / "none.csv"))


def test_command_refuses_an_unknown_actor(register, tmp_path):
    path = tmp_path / "register.csv"
    path.write_text("\r\n".join([HEADER, GOOD_ROWS[0]]), encoding="utf-8")
    with translation.override("en"), pytest.raises(CommandError, match="No user"):
        call_command("import_members", str(path), actor="nobody@example.org")
    assert nothing_written()


def test_page_says_when_a_file_has_no_member(register, admin_client, run_jobs):
    _job, page = import_through_the_page(admin_client, run_jobs, HEADER.encode())
    assert "The file has no member to import." in page
    assert nothing_written()


def test_the_report_file_never_lets_a_spreadsheet_run_what_the_file_said(
    register, admin_client, run_jobs
):
    header = HEADER.replace("email", "=HYPERLINK(1)")
    job, _page = import_through_the_page(admin_client, run_jobs, "\r\n".join([header]).encode())
    content = b"".join(admin_client.get(reverse("jobs:download", args=[job.pk])).streaming_content)
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert ["1", "'=hyperlink(1)"] in [row[:2] for row in rows]
