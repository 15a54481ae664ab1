"""The proof of sending of an assembly's convocation as CSV (UTF-8 with BOM, `;`, CRLF), one
line per member on the roll: how the convocation went, and when it was sent or why not. The
proof that the assembly was validly convened (RULES 11); written into a file by a job
(governance.jobs), since a large roll has tens of thousands of lines."""

import csv
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _

from coop.models import NoticeDelivery
from governance.models import Assembly
from governance.selectors.assemblies import convocation_proof

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    """A CSV cell that a spreadsheet will show as text, never run as a formula."""
    text = "" if value is None else str(value)
    if text[:1] in FORMULA_STARTS:
        return "'" + text
    return text


def proof_filename(*, assembly: Assembly, status: str) -> str:
    return f"convocation-proof-{assembly.pk}" + (f"-{status}" if status else "") + ".csv"


def convocation_proof_csv_write(*, assembly: Assembly, status: str, path: Path) -> int:
    """Write the proof of sending of `assembly` (only the lines of `status`, if given) into
    `path`, reading the roll 2,000 entries at a time. Returns the number of lines."""
    entries = convocation_proof(assembly=assembly, status=status).iterator(chunk_size=2000)
    statuses = dict(NoticeDelivery.Status.choices)
    channels = dict(NoticeDelivery.Channel.choices)
    count = 0
    with path.open("w", encoding="utf-8", newline="") as file:
        file.write("\ufeff")
        writer = csv.writer(file, delimiter=";", lineterminator="\r\n")
        writer.writerow(
            [
                _("member number"),
                _("name"),
                _("channel"),
                _("e-mail address"),
                _("status"),
                _("sent at"),
                _("attempts"),
                _("last error"),
                _("message id"),
            ]
        )
        for entry in entries:
            count += 1
            delivery = entry.convocation_delivery
            if delivery is None:
                writer.writerow([entry.member_number, _cell(entry.name)] + [""] * 7)
                continue
            sent_at = timezone.localtime(delivery.sent_at).isoformat() if delivery.sent_at else ""
            writer.writerow(
                [
                    entry.member_number,
                    _cell(entry.name),
                    str(channels.get(delivery.channel, delivery.channel)),
                    _cell(delivery.to_email),
                    str(statuses.get(delivery.status, delivery.status)),
                    sent_at,
                    delivery.attempts,
                    _cell(delivery.last_error),
                    _cell(delivery.message_id),
                ]
            )
    return count
