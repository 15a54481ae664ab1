"""URL patterns of the meeting desk (namespace "governance", see governance/urls.py)."""

from django.urls import path

from governance.views import meeting

urlpatterns: list = [
    path("<int:pk>/meeting/", meeting.desk, name="meeting"),
    path("<int:pk>/meeting/figures/", meeting.figures, name="meeting_figures"),
    path("<int:pk>/meeting/check-in/", meeting.check_in, name="meeting_check_in"),
    path("<int:pk>/meeting/check-in/undo/", meeting.check_in_undo, name="meeting_check_in_undo"),
    path(
        "<int:pk>/meeting/proxy/<int:proxy_pk>/revoke/",
        meeting.proxy_revoke_at_desk,
        name="meeting_proxy_revoke",
    ),
    path("<int:pk>/meeting/bureau/", meeting.bureau, name="meeting_bureau"),
    path(
        "<int:pk>/meeting/bureau/<int:seat_pk>/remove/",
        meeting.bureau_remove,
        name="meeting_bureau_remove",
    ),
    path("<int:pk>/meeting/open/", meeting.open_meeting, name="meeting_open"),
    path("<int:pk>/meeting/attendance.pdf", meeting.attendance_sheet, name="meeting_attendance"),
    path("check-in/<str:token>/", meeting.check_in_token, name="check_in_token"),
]
