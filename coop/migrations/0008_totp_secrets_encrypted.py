"""Encrypt the two-factor secrets already stored (TOTP secrets, recovery-code seeds).

From this release allauth stores them through coop.adapters.MFAAdapter, which encrypts them
with TOTP_ENCRYPTION_KEY; this migration encrypts those written before. Reversible: going back
to the previous release writes them in clear again.
"""

from django.db import migrations


def _convert(apps, convert) -> None:
    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.filter(type__in=["totp", "recovery_codes"]):
        data = dict(authenticator.data or {})
        changed = False
        for key in ("secret", "seed"):
            value = data.get(key)
            if isinstance(value, str):
                data[key] = convert(value)
                changed = changed or data[key] != value
        codes = data.get("migrated_codes")
        if isinstance(codes, list):
            data["migrated_codes"] = [convert(c) if isinstance(c, str) else c for c in codes]
            changed = changed or data["migrated_codes"] != codes
        if changed:
            authenticator.data = data
            authenticator.save(update_fields=["data"])


def encrypt_secrets(apps, schema_editor) -> None:
    from coop.adapters import encrypt_secret

    _convert(apps, encrypt_secret)


def decrypt_secrets(apps, schema_editor) -> None:
    from coop.adapters import decrypt_secret

    _convert(apps, decrypt_secret)


class Migration(migrations.Migration):
    dependencies = [
        ("coop", "0007_statutes_meeting_early_opening"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(encrypt_secrets, decrypt_secrets)]
