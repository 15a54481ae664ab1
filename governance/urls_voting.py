"""The vote: ballots and receipts (members), the chair's controls, results and ballot box;
then the minutes."""

from django.urls import path

from governance.views import minutes, vote_control, voting

urlpatterns = [
    path("<int:pk>/ballot/", voting.ballot, name="ballot"),
    path("<int:pk>/ballot/change/", voting.ballot_change, name="ballot_change"),
    path("<int:pk>/results/", voting.results, name="results"),
    path(
        "<int:pk>/ballot-box.json",
        voting.ballot_box_export,
        {"file_format": "json"},
        name="ballot_box_json",
    ),
    path(
        "<int:pk>/ballot-box.csv",
        voting.ballot_box_export,
        {"file_format": "csv"},
        name="ballot_box_csv",
    ),
    path("manage/<int:pk>/vote/", vote_control.control, name="vote_control"),
    path("manage/<int:pk>/vote/room-count/", vote_control.room_count, name="vote_room_count"),
    path(
        "manage/<int:pk>/vote/room-count/<int:count_pk>/correct/",
        vote_control.room_count_correction,
        name="vote_room_count_correct",
    ),
    path("manage/<int:pk>/vote/<slug:action>/", vote_control.control_action, name="vote_action"),
]

urlpatterns += [
    path("minutes/", minutes.archive, name="minutes_archive"),
    path("<int:pk>/minutes.pdf", minutes.pdf, name="minutes_pdf"),
    path("<int:pk>/attendance.pdf", minutes.attendance, name="attendance_pdf"),
    path("manage/<int:pk>/minutes/", minutes.edit, name="minutes_edit"),
    path("manage/<int:pk>/minutes/publish/", minutes.publish, name="minutes_publish"),
]
