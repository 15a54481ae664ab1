"""A register of many members in a few seconds, through the CSV import (for tests of long
work: the register's PDF printed in parts, jobs killed mid-way, the browser's progress)."""

import io

from members.imports import register_import

COLUMNS = (
    "number;status;first_name;last_name;address;postal_code;city;category;college;"
    "admitted_on;admission_ref;ratified_on;ratification_ref"
)
CATEGORIES = (("employee", "employees"), ("beneficiary", "users"), ("volunteer", "supporters"))


def member_name(number: int) -> str:
    return f"Membre{number:05d}"


def import_many_members(count: int, *, actor=None) -> None:
    """Members 1 to `count` (of the standard register's categories and colleges), ratified,
    each named "Camille Membre<number>"."""
    lines = [COLUMNS]
    for number in range(1, count + 1):
        category, college = CATEGORIES[number % len(CATEGORIES)]
        lines.append(
            f"{number};ratified;Camille;{member_name(number)};{number} rue des Alpes;38000;"
            f"Grenoble;{category};{college};2020-03-02;CA 2020-03;2020-06-20;AGO 2020"
        )
    report = register_import(file=io.StringIO("\r\n".join(lines), newline=""), actor=actor)
    assert report.ok and report.created == count, report.problems[:3]
