"""The cooperative's statutes: versions in force (selectors), new versions (service), the rules.

Every version is append-only (the database refuses UPDATE and DELETE on coop_statutes); a
change of the statutes is a new version with its own effective date, strictly after the latest.
The rules enforced are those of docs/rules.md (the numbers in comments refer to it).
"""

from coop.statutes.rules import (
    PARAMETER_FIELDS,
    AssemblyKind,
    Convocation,
    MajorityRule,
    college_weights_validate,
    majority_required,
    proxy_limit,
    quorum_required,
    statutes_validate,
)
from coop.statutes.selectors import (
    StatutesNotInForce,
    StatutesTimeline,
    statutes_in_force,
    statutes_latest,
    statutes_parameters,
    statutes_timeline,
    statutes_versions,
)
from coop.statutes.services import statutes_check_effective_from, statutes_create_version

__all__ = [
    "PARAMETER_FIELDS",
    "AssemblyKind",
    "Convocation",
    "MajorityRule",
    "StatutesNotInForce",
    "StatutesTimeline",
    "college_weights_validate",
    "majority_required",
    "proxy_limit",
    "quorum_required",
    "statutes_check_effective_from",
    "statutes_create_version",
    "statutes_in_force",
    "statutes_latest",
    "statutes_parameters",
    "statutes_timeline",
    "statutes_validate",
    "statutes_versions",
]
