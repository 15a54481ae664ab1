"""Importing an existing register from CSV: every row or none (format: see README).

`register_import` reads the whole file, checks every row and reports each problem with its line
and column. When there is any problem it writes nothing. Otherwise it creates every member, in
one transaction, with the number, status, dates and decision references of the previous
register, and one register event "imported" per member, dated at the latest of their dates.
The member number counter is raised to the highest number imported, so that admissions
recorded in Volière afterwards continue after it; numbers are never reused.

The package: `format` (the columns, the report, the template), `reading` (the file and its
header), `checks` (every check of a row), `service` (the import itself).
"""

from members.imports.format import (
    IMPORT_COLUMNS,
    IMPORTABLE_STATUSES,
    REQUIRED_COLUMNS,
    ImportProblem,
    ImportReport,
    import_template_csv,
    import_template_rows,
)
from members.imports.service import register_import

__all__ = [
    "IMPORTABLE_STATUSES",
    "IMPORT_COLUMNS",
    "REQUIRED_COLUMNS",
    "ImportProblem",
    "ImportReport",
    "import_template_csv",
    "import_template_rows",
    "register_import",
]
