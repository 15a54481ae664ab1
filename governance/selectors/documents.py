"""Reads of the assembly's documents and written questions (RULES 35)."""

from django.db.models import QuerySet

from governance.models import Assembly, AssemblyDocument, RollEntry, WrittenQuestion


def assembly_documents(*, assembly: Assembly) -> QuerySet[AssemblyDocument]:
    """The documents of an assembly in the order they were attached."""
    return AssemblyDocument.objects.filter(assembly=assembly).order_by("added_at", "id")


def assembly_document(*, assembly_pk: int, document_pk: int) -> AssemblyDocument | None:
    return (
        AssemblyDocument.objects.filter(assembly_id=assembly_pk, pk=document_pk)
        .select_related("assembly")
        .first()
    )


def assembly_questions(*, assembly: Assembly) -> QuerySet[WrittenQuestion]:
    """Every written question of an assembly, oldest first, with who asked it."""
    return (
        WrittenQuestion.objects.filter(assembly=assembly)
        .select_related("roll_entry")
        .order_by("asked_at", "id")
    )


def member_questions(*, entry: RollEntry) -> QuerySet[WrittenQuestion]:
    """The questions a member on the roll sent, oldest first."""
    return WrittenQuestion.objects.filter(roll_entry=entry).order_by("asked_at", "id")


def assembly_question(*, assembly_pk: int, question_pk: int) -> WrittenQuestion | None:
    return (
        WrittenQuestion.objects.filter(assembly_id=assembly_pk, pk=question_pk)
        .select_related("roll_entry", "assembly")
        .first()
    )
