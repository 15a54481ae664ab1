"""Error pages (coop.views.errors, templates/4xx/500.html): in the site's layout, in the
visitor's language, with a way back home; DEBUG is off in the test settings."""

import pytest
from django.test import Client

from tests.coop.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.coop.urls_for_error_pages")]

HEADINGS = {
    404: {"en": "Page not found", "fr": "Page introuvable"},
    403: {"en": "Access denied", "fr": "Accès refusé"},
    400: {"en": "Bad request", "fr": "Requête incorrecte"},
    500: {"en": "Something went wrong on our side", "fr": "Une erreur est survenue de notre côté"},
}
HOME_LINK = {"en": "Back to the home page", "fr": "Retour à l\u2019accueil"}


def _client(language: str, **kwargs) -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE=language, raise_request_exception=False, **kwargs)


def assert_error_page(response, *, status: int, heading: str, language: str) -> str:
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert 'class="site-header"' in html
    assert "/static/css/voliere.css" in html
    assert f"<h1>{heading}</h1>" in html
    assert f'<a class="button" href="/">{HOME_LINK[language]}</a>' in html
    return html


@pytest.mark.parametrize("language", ["en", "fr"])
def test_page_not_found(language):
    response = _client(language).get("/no-such-page/")
    html = assert_error_page(
        response, status=404, heading=HEADINGS[404][language], language=language
    )
    assert 'aria-label="' in html  # the site's navigation, from the request's context


@pytest.mark.parametrize("language", ["en", "fr"])
def test_role_required_refuses_with_the_403_page(language):
    client = _client(language)
    member = UserFactory(roles=["member"])
    client.force_login(member)
    response = client.get("/t/admin-only/")
    html = assert_error_page(
        response, status=403, heading=HEADINGS[403][language], language=language
    )
    assert "admin area" not in html
    # The header knows who is signed in: the member's own navigation and the sign-out button.
    assert "/members/me/" in html
    assert {"en": "Sign out", "fr": "Se déconnecter"}[language] in html


@pytest.mark.parametrize("language", ["en", "fr"])
def test_bad_request(language):
    response = _client(language).get("/t/suspicious/")
    assert_error_page(response, status=400, heading=HEADINGS[400][language], language=language)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_server_error(language):
    response = _client(language).get("/t/broken/")
    html = assert_error_page(
        response, status=500, heading=HEADINGS[500][language], language=language
    )
    assert "a bug" not in html and "Traceback" not in html


def test_server_error_page_does_not_touch_the_database(django_assert_num_queries):
    """The 500 page renders without the context processors, which query the database (the
    navigation looks up the person's roles): the database may be what failed."""
    client = _client("en")
    with django_assert_num_queries(0):
        response = client.get("/t/broken/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_form_posted_without_its_csrf_token(language):
    client = _client(language, enforce_csrf_checks=True)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = assert_error_page(
        response,
        status=403,
        heading={"en": "The form has expired", "fr": "Le formulaire a expiré"}[language],
        language=language,
    )
    message = {
        "en": "The form expired or your browser blocks cookies",
        "fr": "Le formulaire a expiré ou votre navigateur bloque les cookies",
    }[language]
    assert message in html
    assert "CSRF verification failed" not in html


def test_the_csrf_failure_reason_is_shown_in_development_only(settings):
    def post() -> str:
        return _client("en", enforce_csrf_checks=True).post("/i18n/setlang/").content.decode()

    assert "CSRF cookie not set" not in post()
    settings.DEBUG = True
    assert "<code>CSRF cookie not set.</code>" in post()
