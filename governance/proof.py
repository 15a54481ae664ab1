"""The proof of sending of an assembly's convocation as CSV (UTF-8 with BOM, `;`, CRLF), one
line per member on the roll: how the convocation went, and when it was sent or why not. The
proof that the assembly was validly convened (RULES 11); written into a file by a job
(governance.jobs), since a large roll has tens of thousands of lines."""

from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _

from coop.csv_export import SpreadsheetWriter
from coop.models import NoticeDelivery
from governance.models import Assembly
from governance.selectors.assemblies import convocation_proof


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
        writer = SpreadsheetWriter(file)
        writer.row(
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
                writer.row([entry.member_number, entry.name] + [""] * 7)
                continue
            sent_at = timezone.localtime(delivery.sent_at).isoformat() if delivery.sent_at else ""
            writer.row(
                [
                    entry.member_number,
                    entry.name,
                    str(channels.get(delivery.channel, delivery.channel)),
                    delivery.to_email,
                    str(statuses.get(delivery.status, delivery.status)),
                    sent_at,
                    delivery.attempts,
                    delivery.last_error,
                    delivery.message_id,
                ]
            )
    return count
