"""General assemblies' pages, in one namespace, mounted at /assemblies/.

Each area keeps its own patterns: preparing and convening (administrators), the member's side
(assemblies, proxies), the meeting itself (check-in, live figures, attendance sheet) and the
vote (ballots, receipts, the chair's controls, results), the assembly's documents and the
written questions, and the paper path (postal forms and paper proxies).
"""

from governance import (
    urls_admin,
    urls_documents,
    urls_meeting,
    urls_member,
    urls_postal,
    urls_voting,
)

app_name = "governance"

urlpatterns = [
    *urls_admin.urlpatterns,
    *urls_member.urlpatterns,
    *urls_meeting.urlpatterns,
    *urls_voting.urlpatterns,
    *urls_documents.urlpatterns,
    *urls_postal.urlpatterns,
]
