"""Pages that htmx also asks for in part: the part for htmx, the page otherwise, and caches told
the two apart (Vary: HX-Request) on every such page."""

import pytest
from django.urls import reverse

HX = {"HTTP_HX_REQUEST": "true"}

# Pages whose results htmx swaps and whose address it pushes into the history.
PAGES = [
    ("coop:audit", "audit-results"),
    ("coop:outbox", "outbox-notices"),
    ("members:register", "register-results"),
    ("members:applications", "applications-list"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "target"), PAGES)
def test_the_page_and_its_part_vary_with_the_htmx_header(admin_client, name, target):
    url = reverse(name)
    page = admin_client.get(url)
    part = admin_client.get(url, **HX)
    assert page.status_code == part.status_code == 200
    for response in (page, part):
        assert "HX-Request" in response["Vary"]
    assert b"<html" in page.content
    assert b"<html" not in part.content
    assert f'id="{target}"'.encode() in part.content


@pytest.mark.django_db
def test_a_boosted_navigation_gets_the_whole_page(admin_client):
    response = admin_client.get(reverse("coop:audit"), HTTP_HX_BOOSTED="true", **HX)
    assert b"<html" in response.content
    assert "HX-Request" in response["Vary"]
