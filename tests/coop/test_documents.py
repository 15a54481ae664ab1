"""coop.documents: user text only in the HTML, escaped; WeasyPrint reaches only the project's
static and media files (issue 15). The payloads are what a stranger or an organiser can type."""

import datetime as dt
import io
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from pypdf import PdfReader

from coop import documents
from coop.documents import DocumentResourceRefused, css_string, document_resource_path
from heritage.services import registration_guest_request, registration_guest_verify
from heritage.tokens import verify_token
from tests.coop.factories import StatutesFactory
from tests.heritage.factories import gathering

pytestmark = pytest.mark.django_db


class _Hits(BaseHTTPRequestHandler):
    hits: list[str]

    def do_GET(self):
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { color: red; }")

    def log_message(self, *args):
        pass


@pytest.fixture
def listener():
    """A real HTTP server on loopback that counts what is asked of it."""
    handler = type("Handler", (_Hits,), {"hits": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler.hits
    server.shutdown()
    server.server_close()


@pytest.fixture
def fetched(monkeypatch):
    """Every URL that WeasyPrint asks the project's fetcher for."""
    asked: list[str] = []
    real = documents.document_resource_path

    def spy(url):
        asked.append(url)
        return real(url)

    monkeypatch.setattr(documents, "document_resource_path", spy)
    return asked


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_css_string_escapes_whatever_could_end_the_string():
    literal = css_string('Page\r\n}body{x:url("http://x")}</style><p>\\')
    inner = literal[1:-1]
    for char in '\r\n}{"<>\\()'.replace("\\", ""):
        if char in "()":
            continue
        assert char not in inner
    assert "\r" not in literal and "\n" not in literal
    assert literal.startswith('"Page\\00000d\\00000a\\00007d')


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file://localhost/etc/passwd",
        "http://127.0.0.1:1/x.png",
        "https://example.org/x.png",
        "data:text/css,body%7Bcolor:red%7D",
        "ftp://example.org/x",
        documents.DOCUMENT_BASE_URL + "etc/passwd",
        documents.DOCUMENT_BASE_URL + "media/../../../etc/passwd",
        documents.DOCUMENT_BASE_URL + "static/../../../../etc/passwd",
    ],
)
def test_the_fetcher_refuses_what_is_not_a_project_file(url):
    with pytest.raises(DocumentResourceRefused):
        document_resource_path(url)


def test_the_fetcher_serves_static_and_media_files(tmp_path, settings):
    css = next(Path(settings.STATICFILES_DIRS[0]).rglob("*.css"))
    relative = css.relative_to(settings.STATICFILES_DIRS[0]).as_posix()
    assert document_resource_path(documents.DOCUMENT_BASE_URL + "static/" + relative) == (
        css.resolve()
    )
    assert document_resource_path(css.resolve().as_uri()) == css.resolve()

    settings.MEDIA_ROOT = str(tmp_path)
    (tmp_path / "heritage").mkdir()
    picture = tmp_path / "heritage" / "a.png"
    picture.write_bytes(b"not read here")
    assert document_resource_path(documents.DOCUMENT_BASE_URL + "media/heritage/a.png") == picture
    # A symbolic link inside the media root that leads out of it is refused.
    (tmp_path / "heritage" / "out.png").symlink_to("/etc/passwd")
    with pytest.raises(DocumentResourceRefused):
        document_resource_path(documents.DOCUMENT_BASE_URL + "media/heritage/out.png")


def test_a_document_fetches_nothing_from_the_network_or_the_disk(listener, caplog):
    base, hits = listener
    html = (
        f'<html><head><link rel="stylesheet" href="{base}/style.css"></head><body>'
        f'<p>Text</p><img src="{base}/img.png"><img src="file:///etc/passwd">'
        f'<p style="background: url({base}/bg.png)">x</p></body></html>'
    )
    with caplog.at_level(logging.WARNING, logger="coop.documents"):
        pdf = documents.pdf_from_html(html)
    assert "Text" in _text(pdf)
    assert hits == []
    refused = " ".join(record.getMessage() for record in caplog.records)
    assert f"{base}/img.png" in refused
    assert "file:///etc/passwd" in refused


def test_user_text_in_a_document_stays_text(client, listener, fetched):
    """An organiser's title that would break out of a CSS string, and a guest's name that is
    HTML: the sign-in sheet prints them as they were typed and fetches nothing."""
    base, hits = listener
    StatutesFactory(effective_from=dt.date(2020, 1, 1))
    title = f'Balade"\r\n}} body {{ background: url({base}/title.png) }} @page {{ x'
    event = gathering(title=title, place=f"file:///etc/passwd <img src='{base}/place.png'>")
    name = f'<img src="{base}/name.png"> Zoé'
    guest = registration_guest_request(gathering=event, name=name, email="z@example.org")
    registration_guest_verify(token=verify_token(guest.pk))
    client.force_login(event.community.organisers.get())

    response = client.get(reverse("heritage:sign_in_sheet", args=[event.pk]))

    assert response.status_code == 200
    text = _text(response.content).replace("\n", "")  # lines wrapped by the layout
    assert f'<img src="{base}/name.png"> Zoé' in text
    assert f"url({base}/title.png)" in text  # the title, shown as text in the page header
    assert "file:///etc/passwd" in text
    assert hits == []
    assert fetched == []


def test_every_pdf_goes_through_the_one_printer():
    """No module but coop.documents calls WeasyPrint."""
    offenders = [
        str(path)
        for path in Path(settings.BASE_DIR).glob("*/**/*.py")
        if ".venv" not in path.parts
        and path.parts[len(Path(settings.BASE_DIR).parts)] != "tests"
        and "weasyprint" in path.read_text(encoding="utf-8")
        and path != Path(documents.__file__)
    ]
    assert offenders == []
