"""The HTTP side of the production check (bin/prod_check.py): a browser with cookies that
follows no redirect on its own, forms read from pages, TOTP codes, a tiny PNG to upload; and
the check's failure and its report."""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.cookiejar
import io
import re
import struct
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zlib
from dataclasses import dataclass
from html.parser import HTMLParser


class CheckFailed(Exception):
    pass


def say(message: str) -> None:
    print(f"prod-check: {message}", flush=True)


def expect(condition: object, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


class _Answer(urllib.request.HTTPErrorProcessor):
    """Every answer comes back as it is: redirects and errors are what the check looks at."""

    def http_response(self, request, response):  # type: ignore[no-untyped-def]
        return response

    https_response = http_response


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


@dataclass
class Answer:
    url: str
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


class Browser:
    """A visitor: cookies, no automatic redirect, the headers a browser sends."""

    def __init__(self, base: str, language: str = "fr") -> None:
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect(), _Answer()
        )
        self.language = language

    def request(
        self,
        path: str,
        *,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
        content_type: str | None = None,
    ) -> Answer:
        url = urllib.parse.urljoin(self.base, path)
        request = urllib.request.Request(url, data=data)  # noqa: S310 - http on loopback
        request.add_header("Accept-Language", self.language)
        request.add_header("User-Agent", "voliere-prod-check")
        if data is not None:
            request.add_header("Origin", self.base.rstrip("/"))
            request.add_header("Referer", url)
            request.add_header("Content-Type", content_type or "application/x-www-form-urlencoded")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with self.opener.open(request, timeout=60) as response:
                return Answer(
                    url,
                    response.status,
                    {k.lower(): v for k, v in response.headers.items()},
                    response.read(),
                )
        except (urllib.error.URLError, OSError) as exc:
            raise CheckFailed(f"GET/POST {url}: no answer ({exc})") from exc

    def get(self, path: str, *, expect_status: int = 200, **kwargs: object) -> Answer:
        answer = self.request(path, **kwargs)  # type: ignore[arg-type]
        expect(
            answer.status == expect_status,
            f"{answer.url}: expected HTTP {expect_status}, got {answer.status} "
            f"{answer.header('location')}\n{answer.text[:600]}",
        )
        return answer

    def post_form(self, path: str, fields: dict[str, str], *, expect_status: int = 302) -> Answer:
        answer = self.request(path, data=urllib.parse.urlencode(fields).encode())
        expect(
            answer.status == expect_status,
            f"POST {answer.url}: expected HTTP {expect_status}, got {answer.status} "
            f"{answer.header('location')}\n{_visible_errors(answer.text)}",
        )
        return answer

    def post_multipart(
        self, path: str, fields: dict[str, str], files: dict[str, tuple[str, str, bytes]]
    ) -> Answer:
        boundary = uuid.uuid4().hex
        parts: list[bytes] = []
        for name, value in fields.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{value}\r\n".encode()
            )
        for name, (filename, mime, content) in files.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: {mime}\r\n\r\n'.encode()
                + content
                + b"\r\n"
            )
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request(
            path,
            data=b"".join(parts),
            content_type=f"multipart/form-data; boundary={boundary}",
        )


def _visible_errors(html: str) -> str:
    errors = re.findall(r'class="[^"]*error[^"]*"[^>]*>(.*?)<', html, flags=re.S)
    return "; ".join(e.strip() for e in errors if e.strip())[:600] or html[:600]


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str]
    selects: dict[str, list[str]]


class _Page(HTMLParser):
    """The forms, links and images of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self.links: list[str] = []
        self.images: list[str] = []
        self.stylesheets: list[str] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action", ""), a.get("method", "get").lower(), {}, {}))
        elif tag == "input" and self.forms and a.get("name"):
            kind = a.get("type", "text")
            if kind not in {"checkbox", "radio", "submit", "file"} or "checked" in a:
                self.forms[-1].fields[a["name"]] = a.get("value", "")
        elif tag == "select" and self.forms:
            self._select = a.get("name")
            self.forms[-1].selects[self._select or ""] = []
        elif tag == "option" and self.forms and self._select is not None:
            self.forms[-1].selects[self._select].append(a.get("value", ""))
        elif tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "img" and a.get("src"):
            self.images.append(a["src"])
        elif tag == "link" and a.get("rel") == "stylesheet":
            self.stylesheets.append(a.get("href", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def parse(answer: Answer) -> _Page:
    page = _Page()
    page.feed(answer.text)
    return page


def form_with(answer: Answer, field_name: str) -> Form:
    for form in parse(answer).forms:
        if field_name in form.fields or field_name in form.selects:
            return form
    raise CheckFailed(f"{answer.url}: no form with a field {field_name!r}")


def totp(secret: str, at: float | None = None) -> str:
    """RFC 6238 (SHA-1, 6 digits, 30 s), as allauth and authenticator apps compute it."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def fresh_totp(secret: str, *, not_in_step: int | None = None) -> tuple[str, int]:
    """A code with a few seconds of its 30 left, from another step than the one given (a code
    is accepted once): waits up to 30 s for it. Returns the code and its step."""
    while True:
        now = time.time()
        step = int(now // 30)
        if step != not_in_step and now % 30 < 27:
            return totp(secret, now), step
        time.sleep(0.5)


def _pixels(data: bytes) -> tuple[tuple[int, int], bytes] | None:
    """The size and RGB pixels of an image, or None when it is not one."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as picture:
            return picture.size, picture.convert("RGB").tobytes()
    except (UnidentifiedImageError, OSError):
        return None


def tiny_png() -> bytes:
    """A real 16x16 PNG, written with the standard library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(b"\x00" + bytes((200, 80, 40)) * 16 for _ in range(16))
    header = struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
