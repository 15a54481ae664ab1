"""What the pages of the assemblies' desk share (administrators): the guard, the assembly
they work on, the majorities each kind of assembly needs."""

from django.http import Http404

from coop.roles import Role, role_required
from governance.models import Assembly
from governance.selectors.assemblies import (
    assembly_for_management,
    assembly_statutes,
    majority_text,
)

PAGE_SIZE = 50
administrator = role_required(Role.ADMINISTRATOR)


def managed_assembly(pk: int) -> Assembly:
    """The assembly, as the desk's pages show it, or a 404."""
    try:
        return assembly_for_management(pk=pk)
    except Assembly.DoesNotExist as exc:
        raise Http404 from exc


def assembly_majorities(assembly: Assembly) -> dict[str, str]:
    """The majority each kind of assembly needs under the assembly's statutes."""
    statutes = assembly_statutes(assembly=assembly)
    if statutes is None:
        return {}
    return {kind: majority_text(statutes=statutes, kind=kind) for kind in Assembly.Kind.values}
