"""The notices' bytes: a batch's `NoticeWriter` writes, byte for byte, the message Django writes.

Django's message is the reference (`render`): same headers in the same order, same encodings
and folding, same parts. Only the date and the MIME boundary are not the row's: the tests give
both writers the same.
"""

import email
import email.generator
import email.policy
import re
from contextlib import nullcontext
from unittest import mock

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from coop.outbox import writing
from coop.outbox.writing import Claimed, NoticeWriter, Rendered, UnsendableMessage, render

DATE = "Mon, 07 Dec 2026 04:05:06 -0000"
BOUNDARY = re.compile(rb'boundary="(={15}\d+==)"')


def same_date(localtime: bool = False) -> str:
    return DATE


@pytest.fixture(autouse=True)
def one_date(monkeypatch):
    """Both writers date the message alike."""
    monkeypatch.setattr(writing, "formatdate", same_date)
    monkeypatch.setattr("django.core.mail.message.formatdate", same_date)


def row(**fields) -> Claimed:
    values = {
        "id": 12,
        "to_email": "ada@example.org",
        "language": "fr",
        "subject": "Convocation à l'assemblée générale du 12 juin",
        "body_text": "Bonjour Ada,\n\nL'assemblée se tiendra le 12 juin.\n.\nLe conseil\n",
        "body_html": "<p>Bonjour Ada,</p><p>L'assemblée se tiendra le 12 juin.</p>",
        "attempts": 1,
        "message_id": "<0f3c9a4b2d1e4f5a8b7c6d5e4f3a2b1c.notice12@voliere.local>",
    }
    values.update(fields)
    return Claimed(**values)


def written(writer: NoticeWriter, copy: Claimed) -> Rendered | str:
    try:
        return writer.render(copy, copy.message_id)
    except UnsendableMessage:
        return "unsendable"


def by_django(copy: Claimed, like: Rendered | str) -> Rendered | str:
    """Django's message for the copy, with the boundary the writer drew (Django draws its own)."""
    found = BOUNDARY.search(like.data) if isinstance(like, Rendered) else None
    same_boundary = (
        mock.patch.object(
            email.generator.Generator,
            "_make_boundary",
            classmethod(lambda cls, text=None: found.group(1).decode()),
        )
        if found
        else nullcontext()
    )
    with same_boundary:
        try:
            return render(copy, copy.message_id)
        except UnsendableMessage:
            return "unsendable"


def test_a_notice_is_written_as_django_writes_it_without_django(monkeypatch):
    """The usual copies (an address, a text and an HTML part) never go through Django's
    message, and their bytes are Django's."""
    writer = NoticeWriter()
    copies = [
        row(),
        row(body_html=""),  # text only
        row(subject="Reminder", body_text="Hello Bob", body_html="", language="en"),
        row(body_text="Hello\r\nBob\rand all\n", body_html="<p>Hello</p>\n"),  # 7bit, line ends
        row(to_email="Ada.Lovelace+ag@Sub-Domain.Example.ORG"),
        row(subject="Convocation à l'assemblée générale ordinaire, salle des fêtes " * 3),
    ]
    with monkeypatch.context() as no_django:
        no_django.setattr(writing, "render", None)  # calling it would fail
        mine = [writer.render(copy, copy.message_id) for copy in copies]

    for copy, rendered in zip(copies, mine, strict=True):
        assert rendered == by_django(copy, rendered)
    multipart = [BOUNDARY.search(rendered.data) is not None for rendered in mine]
    assert multipart == [True, False, False, True, True, True]
    parsed = email.message_from_bytes(mine[0].data, policy=email.policy.default)
    assert parsed.get_content_type() == "multipart/alternative"
    assert parsed["Subject"].strip() == copies[0].subject
    assert parsed["Date"] == DATE
    assert parsed.get_body(("plain",)).get_content().replace("\r\n", "\n") == copies[0].body_text
    assert parsed.get_body(("html",)).get_content().strip() == copies[0].body_html


def test_the_batch_writes_each_copy_as_a_writer_of_its_own_would():
    """What a batch computes once (the From line, the subjects) makes no copy different."""
    copies = [
        row(id=i, to_email=f"m{i}@example.org", subject=subject, body_text=f"Bonjour {i}\n")
        for i, subject in enumerate(["Convocation à l'AG", "Convocation à l'AG", "Résultats"] * 3)
    ]
    batch = NoticeWriter()
    together = [batch.render(copy, copy.message_id) for copy in copies]

    for copy, rendered in zip(copies, together, strict=True):
        alone = NoticeWriter().render(copy, copy.message_id)
        ours, theirs = BOUNDARY.search(rendered.data)[1], BOUNDARY.search(alone.data)[1]
        assert rendered.data == alone.data.replace(theirs, ours)
        assert rendered == by_django(copy, rendered)


def test_a_boundary_found_in_a_body_is_drawn_again(monkeypatch):
    taken = f"{'=' * 15}{7:019d}=="
    draws = iter([7, 8])
    copy = row(body_text=f"Bonjour,\n--{taken}--\n")
    writer = NoticeWriter()
    monkeypatch.setattr(writer._random, "randrange", lambda limit: next(draws))

    rendered = writer.render(copy, copy.message_id)

    assert BOUNDARY.search(rendered.data).group(1).decode() == f"{'=' * 15}{8:019d}=="
    parsed = email.message_from_bytes(rendered.data, policy=email.policy.default)
    assert parsed.get_body(("plain",)).get_content().replace("\r\n", "\n") == copy.body_text
    assert rendered == by_django(copy, rendered)


def test_what_cannot_be_a_message_is_refused_as_django_refuses_it():
    writer = NoticeWriter()
    for copy in [
        row(subject="Reminder\nBcc: everyone@example.org"),
        row(language="fr\r\nBcc: everyone@example.org"),
        row(message_id="<a@b>\nBcc: everyone@example.org"),
        row(body_text="\ud800"),  # a lone surrogate cannot be UTF-8
    ]:
        with pytest.raises(UnsendableMessage):
            writer.render(copy, copy.message_id)
        with pytest.raises(UnsendableMessage):
            render(copy, copy.message_id)


def test_a_sender_address_django_refuses_fails_each_copy_as_django_fails_it(settings):
    settings.DEFAULT_FROM_EMAIL = "Volière <secretariat@voliere.local>\nBcc: everyone@example.org"

    writer = NoticeWriter()  # the batch starts: each copy is then refused

    with pytest.raises(UnsendableMessage):
        writer.render(row(), row().message_id)
    with pytest.raises(UnsendableMessage):
        render(row(), row().message_id)


@pytest.mark.parametrize("extra", range(-2, 3))
def test_headers_just_short_enough_for_one_line_or_just_too_long(extra):
    """At 78 characters a header line is folded: below it is written as it is."""
    writer = NoticeWriter()
    subject = ("Convocation AG  du " + "x" * 80)[: 78 - len("Subject: ") + extra]
    address = ("a" * 80)[: 78 - len("To: ") - len("@example.org") + extra] + "@example.org"
    for copy in [
        row(subject=subject),
        row(subject=subject.replace(" ", "\t")),
        row(to_email=address),
        row(message_id=f"<{'y' * 80}"[: 78 - len("Message-ID: ") - 1 + extra] + ">"),
        row(message_id=f"<{'y y ' * 20}"[: 78 - len("Message-ID: ") - 1 + extra] + ">"),
        row(language=("fr en " * 20)[: 78 - len("Content-Language: ") + extra]),
    ]:
        mine = written(writer, copy)
        assert mine == by_django(copy, mine)


@pytest.mark.parametrize(
    "subject",
    [
        "é" * 130,  # base64, in several words
        "Convocation à l'assemblée générale ordinaire du 12 juin, salle des fêtes " * 4,  # Q
        "😀" * 45,  # four octets a character
        "a é" * 70,
        "Ré",
    ],
)
def test_long_subjects_are_cut_into_encoded_words_as_django_cuts_them(subject):
    copy = row(subject=subject)

    mine = NoticeWriter().render(copy, copy.message_id)

    assert mine == by_django(copy, mine)


# Text with what makes header and body writing differ: accents, emoji, quotes, encoded-word
# lookalikes, runs of spaces, tabs, line ends of every kind, dots at line starts.
TEXT = st.lists(
    st.sampled_from(
        [*"abcXYZ019 .,;:'\"()<>@=?_-/\\é€œ😀\t\r\n", "=?utf-8?q?", "  ", "\r\n", "word "]
    ),
    max_size=100,
).map("".join)
ADDRESSES = st.sampled_from(
    [
        "ada@example.org",
        "a.b+c@ex-ample.co.uk",
        "ADA@EXAMPLE.ORG",
        "ada@exämple.org",  # punycode: Django's path
        "adà@example.org",
        "Ada <ada@example.org>",
        "a..b@example.org",
        ".ada@example.org",
        f"ada@{'x' * 64}.org",  # a label too long for IDNA
        "not an address",
    ]
)
# A single writer for every example, as a batch shares one: its subjects' cache included.
SHARED = NoticeWriter()


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    to_email=ADDRESSES,
    subject=st.one_of(TEXT, st.sampled_from(["Convocation à l'AG", "Résultats du vote"])),
    body_text=st.one_of(TEXT, st.just("é" * 500 + "\n"), st.just("")),
    body_html=st.one_of(st.just(""), TEXT),
    language=st.sampled_from(["fr", "en", "fr-FR", "é", "f r"]),
    message_id=st.sampled_from(
        ["<0f3c9a4b.notice1@voliere.local>", f"<{'x' * 80}@voliere.local>", "<a b@c>"]
    ),
)
@example(
    to_email="ada@example.org",
    subject="Convocation à l'assemblée générale du 12 juin (12)",
    body_text="Bonjour,\n" + "x" * 1200 + "\n",  # too long a line: quoted-printable
    body_html="<p>Bonjour</p>",
    language="fr",
    message_id="<0f3c9a4b.notice1@voliere.local>",
)
def test_any_copy_is_written_byte_for_byte_as_django_writes_it(
    to_email, subject, body_text, body_html, language, message_id
):
    copy = row(
        to_email=to_email,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        language=language,
        message_id=message_id,
    )

    mine = written(SHARED, copy)

    assert mine == by_django(copy, mine)
