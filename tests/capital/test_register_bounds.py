"""The register of share movements "until 9999-12-31" raised OverflowError (issue 15): a date
at the edge of the calendar is now a form error."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.coop.factories import StatutesFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("fmt", ["csv", "pdf"])
def test_a_register_until_the_end_of_the_calendar_is_a_form_error(admin_client, fmt):
    StatutesFactory(effective_from=dt.date(2020, 1, 1))
    response = admin_client.post(
        reverse("capital:register"), {"start": "2020-01-01", "end": "9999-12-31", "format": fmt}
    )
    assert response.status_code == 400
    assert "Give a date between" in response.content.decode()
