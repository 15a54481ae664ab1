"""The short reference on a member's letters finds their roll entry, and only theirs."""

import pytest

from governance.references import roll_entry_by_reference, roll_reference
from tests.governance.factories import (
    convened_assembly,
    members_admitted,
    roll_entry_of,
    statutes_and_register,
)

pytestmark = pytest.mark.django_db


def test_reference_finds_the_entry_forgiving_case_and_spaces():
    members = members_admitted(statutes_and_register(), 3)
    assembly = convened_assembly(members=members)
    entry = roll_entry_of(assembly, members[1])
    reference = roll_reference(entry)
    assert reference.startswith(f"A{assembly.pk}-")
    assert roll_entry_by_reference(assembly, reference) == entry
    assert roll_entry_by_reference(assembly, f"  {reference.lower().replace('-', ' ')} ") == entry


def test_a_wrong_number_check_or_assembly_finds_nobody():
    members = members_admitted(statutes_and_register(), 2)
    assembly = convened_assembly(members=members)
    other = convened_assembly(members=members)
    entry = roll_entry_of(assembly, members[0])
    reference = roll_reference(entry)
    prefix, number, check = reference.split("-")
    wrong_check = check[0] + ("A" if check[1] != "A" else "B")
    assert roll_entry_by_reference(assembly, f"{prefix}-{number}-{wrong_check}") is None
    assert roll_entry_by_reference(assembly, f"{prefix}-99999-{check}") is None
    assert roll_entry_by_reference(other, reference) is None
    assert roll_entry_by_reference(assembly, "nonsense") is None
    assert roll_entry_by_reference(assembly, "") is None
