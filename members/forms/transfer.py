"""Forms of the register's exports and imports (administrators)."""

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coop.fields import GuardedForm

MAX_IMPORT_BYTES = 20 * 1024 * 1024


class RegisterExportForm(GuardedForm):
    """The register as it stood on a date, as CSV or as the legal register in PDF."""

    FORMAT_CSV = "csv"
    FORMAT_PDF = "pdf"

    on = forms.DateField(
        label=_("Register as it stood on"),
        help_text=_("Today or an earlier date. The register is reconstructed from its events."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[
            (FORMAT_CSV, _("CSV, for spreadsheets (UTF-8, separated by semicolons)")),
            (FORMAT_PDF, _("PDF, the legal register to print and sign")),
        ],
        initial=FORMAT_CSV,
        widget=forms.RadioSelect,
    )

    def clean_on(self):
        on = self.cleaned_data["on"]
        if on > timezone.localdate():
            raise ValidationError(
                _(
                    "The register cannot be shown on a date in the future: choose today or "
                    "an earlier date."
                ),
                code="future",
            )
        return on


class RegisterImportForm(GuardedForm):
    file = forms.FileField(
        label=_("CSV file of the register"),
        help_text=_("UTF-8, one line per member, the columns of the template (at most 20 MB)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise ValidationError(
                _("The file is too large (%(size)s): at most %(limit)s.")
                % {
                    "size": filesizeformat(upload.size),
                    "limit": filesizeformat(MAX_IMPORT_BYTES),
                },
                code="too_large",
            )
        return upload
