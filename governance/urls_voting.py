"""The vote: ballots and receipts (members), the chair's controls, results and ballot box."""

from django.urls import path

from governance.views import voting

urlpatterns = [
    path("<int:pk>/ballot/", voting.ballot, name="ballot"),
    path("<int:pk>/results/", voting.results, name="results"),
    path("<int:pk>/ballot-box.json", voting.ballot_box_json, name="ballot_box_json"),
    path("<int:pk>/ballot-box.csv", voting.ballot_box_csv, name="ballot_box_csv"),
    path("manage/<int:pk>/vote/", voting.control, name="vote_control"),
    path("manage/<int:pk>/vote/room-count/", voting.room_count, name="vote_room_count"),
    path("manage/<int:pk>/vote/<slug:action>/", voting.control_action, name="vote_action"),
]
