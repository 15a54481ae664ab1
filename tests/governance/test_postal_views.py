"""The bureau's pages of the paper path: administrators only; the letter's reference finds the
member; bad input re-renders the form with the reason and records nothing."""

import re

import pytest
from django.urls import reverse

from governance.models import PaperForm, Resolution, RollEntry, UrnBallot
from governance.references import roll_reference
from tests.governance.factories import convened_assembly, members_admitted, statutes_and_register

pytestmark = pytest.mark.django_db


@pytest.fixture
def assembly():
    register = statutes_and_register()
    return convened_assembly(
        members=members_admitted(register, 4), resolutions=2, positions=(True, False)
    )


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def url(name: str, *args) -> str:
    return reverse(f"governance:{name}", args=args)


def test_only_administrators_record_paper_forms(client, member_user, assembly):
    client.force_login(member_user)
    for name in ("postal", "postal_form_new", "paper_proxy_new"):
        assert client.get(url(name, assembly.pk)).status_code in (302, 403)


def test_the_bureau_records_a_postal_form_found_by_its_reference(admin_client, assembly):
    entry = RollEntry.objects.filter(assembly=assembly).order_by("member_number").first()
    first, second = Resolution.objects.filter(assembly=assembly).order_by("number")
    page = text(admin_client.get(url("postal_form_new", assembly.pk)))
    assert "The board recommends adopting this resolution." in page
    assert "The board does not recommend adopting this resolution." in page

    # A mistyped reference: the check letters do not match; nothing is recorded.
    reference = roll_reference(entry)
    wrong = reference[:-2] + ("ZZ" if not reference.endswith("ZZ") else "YY")
    data = {
        "member": wrong,
        "received_on": "",
        "option": "vote",
        f"resolution_{first.pk}": "for",
        f"resolution_{second.pk}": "",
        "amendments": "abstain",
    }
    response = admin_client.post(url("postal_form_new", assembly.pk), data)
    assert response.status_code == 400
    body = text(response)
    assert "No member on the roll of this assembly has this reference or number" in body
    assert "This field is required." in body  # the date of receipt
    assert not PaperForm.objects.exists()

    # Option (3) without the holder's reference is refused too.
    data.update(member=reference, received_on=str(entry.assembly.convened_at.date()))
    response = admin_client.post(url("postal_form_new", assembly.pk), {**data, "option": "holder"})
    assert response.status_code == 400
    assert "Give the reference or number of the holder named." in text(response)

    response = admin_client.post(url("postal_form_new", assembly.pk), data, follow=True)
    assert response.redirect_chain[-1][0] == url("postal", assembly.pk)
    body = text(response)
    assert f"The postal vote of {entry.name} is recorded" in body
    assert "votes on each resolution" in body
    form = PaperForm.objects.get()
    assert (form.roll_entry, form.counted, form.amendments) == (entry, True, "abstain")
    assert sorted(UrnBallot.objects.values_list("choice", flat=True)) == ["abstain", "for"]

    # The same member again: refused, saying when the first form was recorded.
    response = admin_client.post(url("postal_form_new", assembly.pk), data)
    assert response.status_code == 400
    assert f"A postal form for {entry.name} was recorded on" in text(response)


def test_a_blank_paper_proxy_by_member_number(admin_client, assembly):
    entry = RollEntry.objects.filter(assembly=assembly).order_by("member_number").last()
    response = admin_client.post(
        url("paper_proxy_new", assembly.pk),
        {
            "member": str(entry.member_number),
            "received_on": str(assembly.convened_at.date()),
            "holder": "",
        },
        follow=True,
    )
    assert f"The blank proxy of {entry.name} is recorded" in text(response)
    form = PaperForm.objects.get()
    assert (form.document, form.option) == ("proxy", "chair")
