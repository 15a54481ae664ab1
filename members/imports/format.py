"""The import file's format: its columns, the report of an import, the template to fill in."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coop import formatting
from coop.csv_export import csv_text
from members.models import Category, College, Member

Status = Member.Status

#: The columns of the import file, in the order of the template.
IMPORT_COLUMNS: tuple[str, ...] = (
    "number",
    "status",
    "person_kind",
    "first_name",
    "last_name",
    "legal_name",
    "legal_registration",
    "representative_name",
    "representative_role",
    "email",
    "phone",
    "address",
    "postal_code",
    "city",
    "country",
    "language",
    "category",
    "college",
    "requested_shares",
    "e_notices",
    "e_notices_on",
    "applied_on",
    "admitted_on",
    "admission_ref",
    "ratified_on",
    "ratification_ref",
    "exited_on",
    "exit_ref",
)
#: Columns the header must have; the others may be left out (they are then empty).
REQUIRED_COLUMNS: tuple[str, ...] = (
    "number",
    "status",
    "category",
    "college",
    "admitted_on",
    "admission_ref",
)
#: The header must also have at least one of these, so that every member has a name.
NAME_COLUMNS: tuple[str, ...] = ("last_name", "legal_name")

IMPORTABLE_STATUSES: tuple[str, ...] = (
    Status.ADMITTED,
    Status.RATIFIED,
    Status.RESIGNED,
    Status.EXCLUDED,
    Status.DECEASED,
    Status.LOST_QUALITY,
)
DATE_FORMATS: tuple[str, ...] = ("%Y-%m-%d", "%d/%m/%Y")
TRUE_WORDS = frozenset({"yes", "oui", "true", "vrai", "1", "y", "o", "x"})
FALSE_WORDS = frozenset({"no", "non", "false", "faux", "0", "n", ""})
#: Separators recognised in the header line, in this order of preference.
DELIMITERS = (";", ",", "\t")


@dataclass(frozen=True)
class ImportProblem:
    """One reason the file cannot be imported: where it is and what is wrong."""

    line: int | None  # line of the file (the header is line 1); None for the whole file
    column: str
    message: str

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        if self.column:
            return _("Line %(line)d, column %(column)s: %(message)s") % {
                "line": self.line,
                "column": self.column,
                "message": self.message,
            }
        return _("Line %(line)d: %(message)s") % {"line": self.line, "message": self.message}


@dataclass
class ImportReport:
    """What an import did: the members created, or every problem found (and nothing written)."""

    rows: int = 0
    created: int = 0
    problems: list[ImportProblem] = field(default_factory=list)
    numbers: tuple[int, int] | None = None  # lowest and highest number imported
    next_number: int | None = None  # the number the next admission will receive

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        """The report as lines of text (the management command prints them)."""
        if self.problems:
            return [
                ngettext(
                    "Nothing was imported: %(count)s problem found. Correct the file and "
                    "import it again.",
                    "Nothing was imported: %(count)s problems found. Correct the file and "
                    "import it again.",
                    len(self.problems),
                )
                % {"count": formatting.number(len(self.problems))},
                *(str(problem) for problem in self.problems),
            ]
        if not self.created:
            return [_("The file has no member to import.")]
        low, high = self.numbers or (0, 0)
        if self.created == 1:
            imported = _("One member imported, number %(number)d.") % {"number": low}
        else:
            imported = ngettext(
                "%(count)s member imported, numbers %(low)d to %(high)d.",
                "%(count)s members imported, numbers %(low)d to %(high)d.",
                self.created,
            ) % {"count": formatting.number(self.created), "low": low, "high": high}
        return [
            imported,
            _("The next admission will receive number %(number)d.") % {"number": self.next_number},
        ]


def import_template_rows() -> list[list[str]]:
    """The header of the import file and one example row, with this cooperative's codes."""
    category = Category.objects.order_by("position", "name").first()
    college = College.objects.order_by("position", "name").first()
    example = {
        "number": "1",
        "status": Status.RATIFIED,
        "person_kind": Member.PersonKind.NATURAL,
        "first_name": "Claire",
        "last_name": "Durand",
        "email": "claire.durand@example.org",
        "phone": "04 76 00 00 00",
        "address": "12 rue des Alpes",
        "postal_code": "38000",
        "city": "Grenoble",
        "country": "France",
        "language": "fr",
        "category": category.code if category else "employee",
        "college": college.code if college else "employees",
        "requested_shares": "1",
        "e_notices": "yes",
        "e_notices_on": "2019-03-04",
        "applied_on": "2019-02-11",
        "admitted_on": "2019-03-04",
        "admission_ref": "CA 2019-03-04",
        "ratified_on": "2019-06-20",
        "ratification_ref": "AGO 2019-06-20",
    }
    return [list(IMPORT_COLUMNS), [example.get(column, "") for column in IMPORT_COLUMNS]]


def import_template_csv() -> str:
    """The template as the text of a CSV file (UTF-8 with BOM, `;` separator)."""
    header, *rows = import_template_rows()
    return csv_text(header, rows)
