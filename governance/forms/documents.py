"""Forms of the assembly's documents and written questions (RULES 35)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from coop.fields import GuardedForm
from governance.models import AssemblyDocument
from governance.services.documents import MAX_DOCUMENT_BYTES, max_document_megabytes
from governance.services.questions import MAX_ANSWER_CHARS, MAX_QUESTION_CHARS


class DocumentForm(GuardedForm):
    """A document attached by an administrator. The file's content is checked by the service
    (assembly_document_add); the form refuses at once a file that says it is too large."""

    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind of document"),
        choices=AssemblyDocument.Kind.choices,
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=_("File (PDF)"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
        error_messages={
            "required": _("Choose the PDF file of the document."),
            "empty": _("The file is empty."),
        },
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("A PDF file of at most %(size)s MB.") % {
            "size": max_document_megabytes()
        }

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_DOCUMENT_BYTES:
            raise forms.ValidationError(
                _("The file is too large: a document is at most %(size)s MB."),
                code="too_large",
                params={"size": max_document_megabytes()},
            )
        return upload


class QuestionForm(GuardedForm):
    text = forms.CharField(
        label=_("Your question"),
        max_length=MAX_QUESTION_CHARS,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write your question.")},
        help_text=_("The board answers it at the meeting; the answer is kept in the minutes."),
    )


class AnswerForm(GuardedForm):
    answer = forms.CharField(
        label=_("The board's answer"),
        max_length=MAX_ANSWER_CHARS,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("Write the board's answer.")},
    )


class PostalQuestionForm(GuardedForm):
    """A written question received by post, recorded by an administrator."""

    member_number = forms.IntegerField(
        label=_("Member number"),
        min_value=1,
        help_text=_("As printed on the member's convocation."),
    )
    received_on = forms.DateField(
        label=_("Letter received on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    text = forms.CharField(
        label=_("The question, as the letter puts it"),
        max_length=MAX_QUESTION_CHARS,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Write the member's question as the letter puts it.")},
    )
