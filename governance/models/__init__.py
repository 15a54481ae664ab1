"""General assemblies: the assembly, its frozen colleges, agenda and roll (assembly), proxies
and the bureau (meeting), the vote, its urn, ballot box, room counts and results (voting), the
minutes, documents and written questions (records), and the paper forms (paper)."""

from governance.models.assembly import (
    AgendaItem,
    Assembly,
    AssemblyCollege,
    Resolution,
    RollEntry,
    check_in_token,
)
from governance.models.meeting import BureauSeat, Proxy
from governance.models.paper import PaperForm
from governance.models.records import (
    AssemblyDocument,
    Minutes,
    WrittenQuestion,
    assembly_document_path,
)
from governance.models.voting import (
    Ballot,
    BallotChoice,
    BallotPointer,
    Participation,
    ResolutionResult,
    RoomCount,
    UrnBallot,
    UrnSeal,
)

__all__ = [
    "AgendaItem",
    "Assembly",
    "AssemblyCollege",
    "AssemblyDocument",
    "Ballot",
    "BallotChoice",
    "BallotPointer",
    "BureauSeat",
    "Minutes",
    "PaperForm",
    "Participation",
    "Proxy",
    "Resolution",
    "ResolutionResult",
    "RollEntry",
    "RoomCount",
    "UrnBallot",
    "UrnSeal",
    "WrittenQuestion",
    "assembly_document_path",
    "check_in_token",
]
