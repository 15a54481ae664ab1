"""Every check of an import row, and of the member numbers across the file and the register."""

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from members.imports.format import FALSE_WORDS, IMPORTABLE_STATUSES, TRUE_WORDS, ImportProblem
from members.imports.reading import Row
from members.models import Category, College, Member

Status = Member.Status

# Text columns copied to the member as they are (after trimming), checked against the model.
TEXT_COLUMNS: tuple[str, ...] = (
    "first_name",
    "last_name",
    "legal_name",
    "legal_registration",
    "representative_name",
    "representative_role",
    "phone",
    "address",
    "postal_code",
    "city",
    "country",
    "admission_ref",
    "ratification_ref",
    "exit_ref",
)


@dataclass(frozen=True)
class Draft:
    """A row that passed every check: the member's fields and their import event."""

    line: int
    fields: dict[str, Any]
    event_on: dt.date
    decision_ref: str


@dataclass(frozen=True)
class Codes:
    """The register's categories and colleges by code, and today's date, for the checks."""

    categories: dict[str, Category]
    colleges: dict[str, College]
    today: dt.date


@cache
def _max_length(column: str) -> int:
    return Member._meta.get_field(column).max_length or 0


def _texts(row: Row, fields: dict[str, Any]) -> None:
    for column in TEXT_COLUMNS:
        value = row.text(column)
        if len(value) > _max_length(column):
            row.problem(
                column,
                _("Too long: at most %(limit)d characters (this has %(length)d).")
                % {"limit": _max_length(column), "length": len(value)},
            )
        fields[column] = value
    if "country" not in row.values:
        fields["country"] = "France"


#: The highest member number an import keeps (see _number).
MAX_IMPORTED_NUMBER = 999_999_999
#: The most shares intended an import accepts (the column is an integer in the database).
MAX_IMPORTED_SHARES = 1_000_000


def _number(row: Row, fields: dict[str, Any]) -> None:
    text = row.text("number").lstrip("#")
    fields["number"] = None
    if not text:
        row.problem("number", _("The member number is missing."))
    elif not (text.isascii() and text.isdigit()) or int(text[:12]) < 1:
        row.problem(
            "number",
            _("“%(value)s” is not a member number (a whole number from 1).")
            % {"value": row.text("number")[:40]},
        )
    elif len(text) > len(str(MAX_IMPORTED_NUMBER)) or int(text) > MAX_IMPORTED_NUMBER:
        # Admissions continue after the highest number: the register's numbers must leave
        # them room below the database's limit (2,147,483,647) (issue 15).
        row.problem(
            "number",
            _(
                "Number %(value)s is too large: member numbers go up to %(max)s, so that "
                "admissions can continue after them."
            )
            % {"value": text[:40], "max": number_format(MAX_IMPORTED_NUMBER, force_grouping=True)},
        )
    else:
        fields["number"] = int(text)


def _status(row: Row, fields: dict[str, Any]) -> None:
    status = row.text("status").lower()
    statuses = ", ".join(IMPORTABLE_STATUSES)
    if not status:
        row.problem("status", _("The status is missing."))
    elif status in (Status.APPLICANT, Status.REJECTED):
        row.problem(
            "status",
            _(
                "Applications are not imported: the register holds members and former "
                "members (%(statuses)s)."
            )
            % {"statuses": statuses},
        )
    elif status not in IMPORTABLE_STATUSES:
        row.problem(
            "status",
            _("Unknown status “%(value)s”: use one of %(statuses)s.")
            % {"value": row.text("status"), "statuses": statuses},
        )
    fields["status"] = status


def _person(row: Row, fields: dict[str, Any]) -> None:
    kind = row.text("person_kind").lower() or Member.PersonKind.NATURAL
    if kind not in Member.PersonKind.values:
        row.problem(
            "person_kind",
            _("Unknown kind of person “%(value)s”: use natural or legal.")
            % {"value": row.text("person_kind")},
        )
    elif kind == Member.PersonKind.NATURAL and not fields["last_name"]:
        row.problem("last_name", _("The last name is missing."))
    elif kind == Member.PersonKind.LEGAL and not fields["legal_name"]:
        row.problem("legal_name", _("The name of the legal person is missing."))
    fields["person_kind"] = kind


def _contact(row: Row, fields: dict[str, Any]) -> None:
    email = row.text("email").lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            row.problem("email", _("“%(value)s” is not a valid e-mail address.") % {"value": email})
        if len(email) > _max_length("email"):
            row.problem("email", _("The e-mail address is too long."))
    fields["email"] = email
    language = row.text("language").lower() or "fr"
    codes = [code for code, _name in settings.LANGUAGES]
    if language not in codes:
        row.problem(
            "language",
            _("Unknown language “%(value)s”: use one of %(codes)s.")
            % {"value": row.text("language"), "codes": ", ".join(codes)},
        )
    fields["language"] = language


def _placement(row: Row, fields: dict[str, Any], codes: Codes) -> None:
    """Category, college (by their codes) and the number of shares intended."""
    for column, known in (("category", codes.categories), ("college", codes.colleges)):
        code = row.text(column)
        if code in known:
            fields[column] = known[code]
            continue
        fields[column] = None
        # The messages are translated only for a row that needs them (not 200,000 times).
        if not code:
            missing = {
                "category": _("The category is missing."),
                "college": _("The college is missing."),
            }
            row.problem(column, missing[column])
        else:
            unknown = {
                "category": _("No category has the code “%(value)s”. The codes are: %(codes)s."),
                "college": _("No college has the code “%(value)s”. The codes are: %(codes)s."),
            }
            row.problem(
                column,
                unknown[column] % {"value": code, "codes": ", ".join(sorted(known)) or "—"},
            )
    shares = row.text("requested_shares")
    whole = shares.isascii() and shares.isdigit()
    fields["requested_shares"] = int(shares[:12]) if whole else 1
    if shares and not whole:
        row.problem(
            "requested_shares",
            _("“%(value)s” is not a number of shares.") % {"value": shares[:40]},
        )
    elif whole and (len(shares) > 9 or int(shares) > MAX_IMPORTED_SHARES):
        row.problem(
            "requested_shares",
            _("%(value)s shares is more than a member can hold here (at most %(max)s).")
            % {
                "value": shares[:40],
                "max": number_format(MAX_IMPORTED_SHARES, force_grouping=True),
            },
        )


def _consent(row: Row, fields: dict[str, Any], today: dt.date) -> dt.date | None:
    """The consent to e-mail notices and its date (the date is returned, if given)."""
    text = row.text("e_notices").lower()
    consent = text in TRUE_WORDS
    if not consent and text not in FALSE_WORDS:
        row.problem(
            "e_notices",
            _("Write yes or no (“%(value)s” is neither).") % {"value": row.text("e_notices")},
        )
    consent_on = row.date("e_notices_on", today=today)
    if consent and not fields["email"]:
        row.problem(
            "e_notices", _("Notices can be sent by e-mail only to someone with an e-mail address.")
        )
    if consent_on and not consent:
        row.problem(
            "e_notices_on",
            _("A date of consent is given but the member does not agree to e-mail notices."),
        )
    fields["e_notices"] = consent
    fields["e_notices_changed_at"] = (
        timezone.make_aware(dt.datetime.combine(consent_on or today, dt.time(0, 0)))
        if consent
        else None
    )
    return consent_on


def _lifecycle(row: Row, fields: dict[str, Any], today: dt.date) -> None:
    """The dates and references of admission, ratification and exit, consistent with the status."""
    status = fields["status"]
    for column in ("applied_on", "admitted_on", "ratified_on", "exited_on"):
        fields[column] = row.date(column, today=today)
    if not row.text("admitted_on"):
        row.problem("admitted_on", _("The date of admission is missing."))
    if not fields["admission_ref"]:
        row.problem(
            "admission_ref",
            _(
                "The reference of the admission decision is missing (if the previous register "
                "has none, write where the decision is recorded)."
            ),
        )
    if status == Status.RATIFIED and not row.text("ratified_on"):
        row.problem("ratified_on", _("The member is ratified: give the date of the ratification."))
    if (fields["ratified_on"] or status == Status.RATIFIED) and not fields["ratification_ref"]:
        row.problem(
            "ratification_ref",
            _("Give the reference of the general assembly that ratified the admission."),
        )
    if status == Status.ADMITTED and (row.text("ratified_on") or fields["ratification_ref"]):
        row.problem(
            "ratified_on",
            _(
                "The status says the admission awaits ratification, yet a ratification is "
                "given: use the status ratified, or leave the ratification empty."
            ),
        )
    if status in Member.EXITED_STATUSES:
        if not row.text("exited_on"):
            row.problem("exited_on", _("The member left: give the date of the exit."))
        if not fields["exit_ref"]:
            row.problem(
                "exit_ref",
                _("The member left: give the reference of the exit (letter, decision...)."),
            )
    elif status in IMPORTABLE_STATUSES and (row.text("exited_on") or fields["exit_ref"]):
        row.problem(
            "exited_on",
            _(
                "An exit is given but the status “%(status)s” is not an exit (resigned, "
                "excluded, deceased, lost_quality)."
            )
            % {"status": status},
        )
    known = [
        (column, fields[column])
        for column in ("applied_on", "admitted_on", "ratified_on", "exited_on")
        if fields[column] is not None
    ]
    for (earlier_column, earlier), (later_column, later) in pairwise(known):
        if later < earlier:
            row.problem(
                later_column,
                _("This date comes before the one in %(earlier)s (%(earlier_value)s).")
                % {"earlier": earlier_column, "earlier_value": earlier.isoformat()},
            )


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _control_characters(row: Row) -> None:
    """A NUL byte or another control character cannot be stored (PostgreSQL refuses NUL in
    text): the cell is reported, as the forms do (coop.fields.GuardedForm)."""
    for column, value in row.values.items():
        if isinstance(value, str) and _CONTROL.search(value):
            row.problem(
                column,
                _(
                    "This contains an invisible control character (such as a NUL byte) that "
                    "cannot be stored: remove it and send again."
                ),
            )


def check_row(row: Row, *, codes: Codes) -> Draft | None:
    """Every check of one row; its draft when nothing is wrong with it."""
    fields: dict[str, Any] = {}
    _control_characters(row)
    _texts(row, fields)
    _number(row, fields)
    _status(row, fields)
    _person(row, fields)
    _contact(row, fields)
    _placement(row, fields, codes)
    consent_on = _consent(row, fields, codes.today)
    _lifecycle(row, fields, codes.today)
    if row.failed or fields["admitted_on"] is None:
        return None
    fields["applied_on"] = fields["applied_on"] or fields["admitted_on"]
    dates = [fields[column] for column in ("applied_on", "admitted_on", "ratified_on", "exited_on")]
    event_on = max(day for day in (*dates, consent_on) if day is not None)
    if fields["exited_on"]:
        decision_ref = fields["exit_ref"]
    elif fields["ratified_on"]:
        decision_ref = fields["ratification_ref"]
    else:
        decision_ref = fields["admission_ref"]
    return Draft(row.line, fields, event_on, decision_ref)


def check_numbers(drafts: Sequence[Draft], problems: list[ImportProblem]) -> None:
    """Numbers are unique in the file and not already given in the register."""
    first_line: dict[int, int] = {}
    for draft in drafts:
        number = draft.fields["number"]
        if number in first_line:
            problems.append(
                ImportProblem(
                    draft.line,
                    "number",
                    _("Number %(number)d is already given on line %(line)d.")
                    % {"number": number, "line": first_line[number]},
                )
            )
        else:
            first_line[number] = draft.line
    # One array parameter, not 100,000 placeholders for Django to resolve one by one.
    table = connection.ops.quote_name(Member._meta.db_table)
    column = connection.ops.quote_name(Member._meta.get_field("number").column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column} FROM {table} WHERE {column} = ANY(%s)",  # noqa: S608 - our names
            [list(first_line)],
        )
        used = {number for (number,) in cursor.fetchall()}
    for number, line in first_line.items():
        if number in used:
            problems.append(
                ImportProblem(
                    line,
                    "number",
                    _(
                        "Number %(number)d is already given in the register: member numbers "
                        "are never reused."
                    )
                    % {"number": number},
                )
            )
