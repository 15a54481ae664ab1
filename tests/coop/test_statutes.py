"""Versioned statutes: the rules of docs/rules.md, the versions service, the admin pages."""

import datetime as dt
import re
import threading
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from coop.errors import DomainError, PermissionRefused
from coop.forms import STATUTES_SECTIONS, StatutesForm
from coop.models import AuditEvent, Statutes
from coop.statutes import (
    PARAMETER_FIELDS,
    AssemblyKind,
    Convocation,
    MajorityRule,
    StatutesNotInForce,
    college_weights_validate,
    majority_required,
    proxy_limit,
    quorum_required,
    statutes_create_version,
    statutes_in_force,
    statutes_timeline,
    statutes_validate,
)
from tests.coop.factories import StatutesFactory


def parameters(**overrides: Any) -> dict[str, Any]:
    """A complete, valid set of parameters: the model's defaults and an identity."""
    values = {name: Statutes._meta.get_field(name).get_default() for name in PARAMETER_FIELDS}
    values.update(
        name="Coopérative d'essai",
        registered_office="1 place de la Mairie, 38000 Grenoble",
        decision_ref="AGE du 2 mars 2025",
    )
    values.update(overrides)
    return values


def form_data(values: dict[str, Any], effective_from: dt.date | str) -> dict[str, str]:
    """What a browser posts for these values (an unticked checkbox sends nothing)."""
    data = {"effective_from": str(effective_from)}
    for name, value in values.items():
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, dt.time):
            data[name] = value.strftime("%H:%M")
        else:
            data[name] = str(value)
    return data


@pytest.fixture
def english():
    with translation.override("en"):
        yield


# --- The rules ---------------------------------------------------------------------------------

# (overrides, field refused, error code, words of the message)
REFUSED = [
    # RULES 11: notice periods.
    ({"notice_days_first": 14}, "notice_days_first", "notice_below_minimum", "at least 15 days"),
    ({"notice_days_second": 9}, "notice_days_second", "notice_below_minimum", "at least 10 days"),
    ({"notice_days_first": 61}, "notice_days_first", "notice_above_maximum", "at most 60 days"),
    ({"notice_days_second": 61}, "notice_days_second", "notice_above_maximum", "at most 60 days"),
    # RULES 12: quorum.
    ({"quorum_ordinary_first": "3/2"}, "quorum_ordinary_first", "quorum_out_of_range", "0"),
    (
        {"quorum_extraordinary_second": "3/2"},
        "quorum_extraordinary_second",
        "quorum_out_of_range",
        "between 0 (no quorum) and 1",
    ),
    (
        {"quorum_ordinary_second": "1/4"},
        "quorum_ordinary_second",
        "quorum_second_above_first",
        "higher than the quorum on first convocation (1/5)",
    ),
    (
        {"quorum_extraordinary_second": "1/3"},
        "quorum_extraordinary_second",
        "quorum_second_above_first",
        "(1/4)",
    ),
    ({"quorum_ordinary_first": "a fifth"}, "quorum_ordinary_first", "invalid", "such as 1/5"),
    ({"quorum_ordinary_first": "1/0"}, "quorum_ordinary_first", "zero", "0 as denominator"),
    # RULES 13: majority.
    ({"majority_ordinary": "2/5"}, "majority_ordinary", "majority_below_half", "at least 1/2"),
    (
        {"majority_extraordinary": "4/3"},
        "majority_extraordinary",
        "majority_above_one",
        "at most 1",
    ),
    (
        {"majority_ordinary_strict": False},
        "majority_ordinary",
        "majority_half_not_strict",
        "strictly exceeded",
    ),
    (
        {"majority_extraordinary": "1", "majority_extraordinary_strict": True},
        "majority_extraordinary",
        "majority_one_strict",
        "cannot be strictly exceeded",
    ),
    (
        {"majority_ordinary": "3/4", "majority_ordinary_strict": False},
        "majority_extraordinary",
        "majority_extraordinary_below_ordinary",
        "lower than the majority of an ordinary assembly (3/4)",
    ),
    (
        {"majority_ordinary": "2/3", "majority_extraordinary_strict": False},
        "majority_extraordinary",
        "majority_extraordinary_below_ordinary",
        "(2/3)",
    ),
    # RULES 14: proxies.
    ({"proxy_limit_small_roll": 0}, "proxy_limit_small_roll", "proxy_limit_below_one", "1 proxy"),
    ({"proxy_limit_minimum": 0}, "proxy_limit_minimum", "proxy_limit_below_one", "at least 1"),
    (
        {"proxy_limit_fraction": "0"},
        "proxy_limit_fraction",
        "proxy_fraction_out_of_range",
        "more than 0",
    ),
    (
        {"proxy_limit_fraction": "21/20"},
        "proxy_limit_fraction",
        "proxy_fraction_out_of_range",
        "at most 1",
    ),
    (
        {"proxy_small_roll_threshold": 0},
        "proxy_small_roll_threshold",
        "proxy_threshold_below_one",
        "at least 1 member",
    ),
    # RULES 21: capital floor.
    ({"capital_floor": "1/5"}, "capital_floor", "capital_floor_out_of_range", "between 1/4"),
    ({"capital_floor": "5/4"}, "capital_floor", "capital_floor_out_of_range", "and 1"),
    # RULES 20: paying up.
    (
        {"paying_up_minimum": "1/5"},
        "paying_up_minimum",
        "paying_up_minimum_out_of_range",
        "between 1/4",
    ),
    (
        {"paying_up_minimum": "5/4"},
        "paying_up_minimum",
        "paying_up_minimum_out_of_range",
        "legal minimum) and 1",
    ),
    ({"paying_up_delay_years": 6}, "paying_up_delay_years", "delay_out_of_range", "5 years"),
    # RULES 2: public bodies.
    (
        {"public_bodies_capital_cap": "0"},
        "public_bodies_capital_cap",
        "public_bodies_cap_out_of_range",
        "more than 0",
    ),
    (
        {"public_bodies_capital_cap": "51/100"},
        "public_bodies_capital_cap",
        "public_bodies_cap_out_of_range",
        "at most 1/2",
    ),
    # RULES 19, 22 and the calendar.
    (
        {"nominal_share_value": Decimal("0.00")},
        "nominal_share_value",
        "nominal_value_not_positive",
        "more than 0 €",
    ),
    (
        {"nominal_share_value": Decimal("-10.00")},
        "nominal_share_value",
        "nominal_value_not_positive",
        "more than 0 €",
    ),
    ({"repayment_delay_years": 6}, "repayment_delay_years", "delay_out_of_range", "5 years"),
    (
        {"financial_year_end_month": 4, "financial_year_end_day": 31},
        "financial_year_end_day",
        "financial_year_end_day_invalid",
        "this month has 30 days",
    ),
]


def _ids(case: tuple[dict[str, Any], str, str, str]) -> str:
    overrides, _field, code, _words = case
    return f"{code}:{'-'.join(f'{k}={v}' for k, v in overrides.items())}"


def _assert_refused(exc: ValidationError, field: str, code: str, words: str) -> None:
    assert field in exc.error_dict, exc.message_dict
    assert code in [error.code for error in exc.error_dict[field]]
    assert any(words in message for message in exc.message_dict[field]), exc.message_dict[field]


@pytest.mark.parametrize(("overrides", "field", "code", "words"), REFUSED, ids=map(_ids, REFUSED))
def test_statutes_validate_refuses_each_rule_with_its_message(
    english, overrides, field, code, words
):
    with pytest.raises(ValidationError) as caught:
        statutes_validate(parameters(**overrides))
    _assert_refused(caught.value, field, code, words)


@pytest.mark.django_db
@pytest.mark.parametrize(("overrides", "field", "code", "words"), REFUSED, ids=map(_ids, REFUSED))
def test_service_refuses_each_rule_and_records_nothing(english, overrides, field, code, words):
    with pytest.raises(ValidationError) as caught:
        statutes_create_version(
            actor=None, effective_from=dt.date(2025, 1, 1), values=parameters(**overrides)
        )
    _assert_refused(caught.value, field, code, words)
    # One mistake, one message: the database constraints do not add their own.
    assert len(caught.value.error_dict[field]) == 1
    assert "__all__" not in caught.value.error_dict
    assert not Statutes.objects.exists()
    assert not AuditEvent.objects.exists()


def test_model_defaults_are_valid():
    statutes_validate(parameters())


@pytest.mark.parametrize(
    "overrides",
    [
        {"notice_days_first": 15, "notice_days_second": 10},
        {"notice_days_first": 60, "notice_days_second": 60},
        {"quorum_ordinary_second": "1/5", "quorum_extraordinary_second": "1/4"},
        {"quorum_ordinary_first": "1", "quorum_ordinary_second": "1"},
        {"majority_ordinary": "1/2", "majority_ordinary_strict": True},
        {
            "majority_ordinary": "1",
            "majority_ordinary_strict": False,
            "majority_extraordinary": "1",
        },
        {"majority_extraordinary": "1/2", "majority_extraordinary_strict": True},
        {"proxy_limit_fraction": "1", "proxy_small_roll_threshold": 1},
        {"capital_floor": "1/4", "paying_up_minimum": "1/4", "public_bodies_capital_cap": "1/2"},
        {"capital_floor": "1", "paying_up_minimum": "1", "public_bodies_capital_cap": "1/100"},
        {"paying_up_delay_years": 0, "repayment_delay_years": 0},
        {"paying_up_delay_years": 5, "repayment_delay_years": 5},
        {"nominal_share_value": Decimal("0.01")},
        {"financial_year_end_month": 2, "financial_year_end_day": 28},
        {"quorum_ordinary_first": Fraction(1, 5)},
    ],
)
def test_limits_themselves_are_accepted(overrides):
    statutes_validate(parameters(**overrides))


def test_validate_checks_only_the_fields_it_is_given():
    """A form passes the fields it could read: a missing field is no reason to refuse."""
    statutes_validate({"quorum_ordinary_second": "1/2"})  # no first quorum to compare with
    with pytest.raises(ValidationError):
        statutes_validate({"quorum_ordinary_second": "1/2", "quorum_ordinary_first": "1/5"})


# RULES 7: colleges (weights in percent).


@pytest.mark.parametrize(
    "weights",
    [
        [Fraction(100, 3)] * 3,
        [Decimal("50"), Decimal("25"), Decimal("25")],
        [Decimal("10"), Decimal("40"), Decimal("50")],
        [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")],
        [Decimal("20")] * 5,
        [Decimal("10")] * 10,
    ],
)
def test_college_weights_accepted(weights):
    college_weights_validate(weights)


@pytest.mark.parametrize(
    ("weights", "codes", "words"),
    [
        ([Decimal("50"), Decimal("50")], {"colleges_too_few"}, "At least 3 colleges"),
        ([], {"colleges_too_few", "college_weights_total"}, "there are 0"),
        (
            [Decimal("9.99"), Decimal("45.01"), Decimal("45")],
            {"college_weight_out_of_range"},
            "College 1 holds 9.99% of the votes: each college must hold between 10% and 50%",
        ),
        (
            [Decimal("25"), Decimal("50.01"), Decimal("24.99")],
            {"college_weight_out_of_range"},
            "College 2 holds 50.01%",
        ),
        ([Decimal("33.33")] * 3, {"college_weights_total"}, "add up to 99.99%"),
        ([Decimal("40")] * 3, {"college_weights_total"}, "exactly 100%; they add up to 120%"),
        (
            [Fraction(1, 3)] * 3,  # fractions of 1 instead of percentages
            {"college_weight_out_of_range", "college_weights_total"},
            "holds ≈ 0.3333%",
        ),
        (
            [Decimal("NaN"), Decimal("50"), Decimal("50")],
            {"college_weight_invalid"},
            "not a number",
        ),
    ],
)
def test_college_weights_refused(english, weights, codes, words):
    with pytest.raises(ValidationError) as caught:
        college_weights_validate(weights)
    assert {error.code for error in caught.value.error_list} == codes
    assert any(words in message for message in caught.value.messages), caught.value.messages


def test_college_weights_messages_name_the_colleges(english):
    with pytest.raises(ValidationError) as caught:
        college_weights_validate(
            [Decimal("60"), Decimal("20"), Decimal("20")],
            names=["Salariés", "Bénéficiaires", "Soutiens"],
        )
    assert caught.value.messages == [
        "College Salariés holds 60% of the votes: each college must hold between 10% and 50%."
    ]


def test_college_weights_refuse_floats():
    with pytest.raises(TypeError):
        college_weights_validate([33.3, 33.3, 33.4])


# RULES 12-14: the helpers governance uses.


@pytest.mark.parametrize(
    ("roll_size", "expected"),
    [(0, 1), (1, 1), (19, 1), (20, 1), (39, 1), (40, 2), (59, 2), (60, 3), (1000, 50)],
)
def test_proxy_limit_with_default_statutes(roll_size, expected):
    assert proxy_limit(statutes=Statutes(), roll_size=roll_size) == expected


@pytest.mark.parametrize(("roll_size", "expected"), [(9, 2), (10, 3), (39, 3), (40, 4), (45, 4)])
def test_proxy_limit_follows_the_statutes(roll_size, expected):
    statutes = Statutes(
        proxy_small_roll_threshold=10,
        proxy_limit_small_roll=2,
        proxy_limit_fraction="1/10",
        proxy_limit_minimum=3,
    )
    assert proxy_limit(statutes=statutes, roll_size=roll_size) == expected


def test_proxy_limit_refuses_a_negative_roll():
    with pytest.raises(ValueError, match="negative"):
        proxy_limit(statutes=Statutes(), roll_size=-1)


@pytest.mark.parametrize(
    ("kind", "convocation", "expected"),
    [
        (AssemblyKind.ORDINARY, Convocation.FIRST, Fraction(1, 5)),
        (AssemblyKind.ORDINARY, Convocation.SECOND, Fraction(0)),
        ("extraordinary", "first", Fraction(1, 4)),
        ("extraordinary", "second", Fraction(1, 5)),
    ],
)
def test_quorum_required(kind, convocation, expected):
    assert quorum_required(statutes=Statutes(), kind=kind, convocation=convocation) == expected


def test_quorum_required_refuses_an_unknown_kind():
    with pytest.raises(ValueError):
        quorum_required(statutes=Statutes(), kind="annual", convocation="first")


def test_majority_required():
    statutes = Statutes()
    ordinary = majority_required(statutes=statutes, kind=AssemblyKind.ORDINARY)
    assert ordinary == MajorityRule(threshold=Fraction(1, 2), strict=True)
    assert not ordinary.is_reached(Fraction(1, 2))  # a tie does not pass
    assert ordinary.is_reached(Fraction(501, 1000))
    extraordinary = majority_required(statutes=statutes, kind="extraordinary")
    assert extraordinary == MajorityRule(threshold=Fraction(2, 3), strict=False)
    assert extraordinary.is_reached(Fraction(2, 3))
    assert not extraordinary.is_reached(Fraction(2, 3) - Fraction(1, 10**9))


# --- Versions ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_statutes_in_force_picks_the_version_by_date(english):
    first = StatutesFactory(effective_from=dt.date(2024, 1, 1))
    second = StatutesFactory(effective_from=dt.date(2025, 6, 1))
    assert statutes_in_force(on=dt.date(2024, 1, 1)) == first
    assert statutes_in_force(on=dt.date(2025, 5, 31)) == first
    assert statutes_in_force(on=dt.date(2025, 6, 1)) == second
    assert statutes_in_force(on=dt.date(2030, 1, 1)) == second
    with pytest.raises(
        StatutesNotInForce, match=re.escape("No statutes are in force on Dec. 31, 2023")
    ):
        statutes_in_force(on=dt.date(2023, 12, 31))


@pytest.mark.django_db
def test_statutes_in_force_today_ignores_future_versions():
    today = timezone.localdate()
    current = StatutesFactory(effective_from=today - dt.timedelta(days=30))
    StatutesFactory(effective_from=today + dt.timedelta(days=1))
    assert statutes_in_force() == current
    timeline = statutes_timeline()
    assert timeline.in_force == current
    assert [v.effective_from for v in timeline.future] == [today + dt.timedelta(days=1)]


@pytest.mark.django_db
def test_no_statutes_at_all_is_a_clear_domain_error(english):
    with pytest.raises(DomainError) as caught:
        statutes_in_force()
    assert caught.value.code == "no_statutes_in_force"
    assert "an administrator must first record the statutes" in str(caught.value)


@pytest.mark.django_db
def test_a_new_version_must_take_effect_after_the_latest(english, totp_admin):
    statutes_create_version(
        actor=totp_admin, effective_from=dt.date(2025, 1, 1), values=parameters()
    )
    for refused in (dt.date(2025, 1, 1), dt.date(2024, 12, 31)):
        with pytest.raises(DomainError) as caught:
            statutes_create_version(actor=totp_admin, effective_from=refused, values=parameters())
        assert caught.value.code == "effective_date_not_after_latest"
        assert "after the latest version, which is in force from Jan. 1, 2025" in str(caught.value)
    later = statutes_create_version(
        actor=totp_admin, effective_from=dt.date(2025, 1, 2), values=parameters()
    )
    assert list(Statutes.objects.values_list("effective_from", flat=True)) == [
        dt.date(2025, 1, 2),
        dt.date(2025, 1, 1),
    ]
    assert later.created_by == totp_admin


@pytest.mark.django_db
def test_creating_a_version_writes_an_audit_event(totp_admin):
    first = statutes_create_version(
        actor=totp_admin, effective_from=dt.date(2025, 1, 1), values=parameters()
    )
    second = statutes_create_version(
        actor=totp_admin,
        effective_from=dt.date(2026, 1, 1),
        values=parameters(notice_days_first=21, decision_ref="AGE du 5 décembre 2025"),
    )
    events = list(AuditEvent.objects.order_by("id"))
    assert [e.action for e in events] == ["statutes.version_created"] * 2
    assert {(e.actor, e.actor_label) for e in events} == {(totp_admin, totp_admin.email)}
    assert [(e.target_type, e.target_id) for e in events] == [
        ("coop.statutes", str(first.pk)),
        ("coop.statutes", str(second.pk)),
    ]
    assert events[0].data["effective_from"] == "2025-01-01"
    assert events[0].data["values"]["quorum_ordinary_first"] == "1/5"
    assert events[0].data["values"]["distance_vote_closing_time"] == "15:00:00"
    assert events[1].data == {
        "effective_from": "2026-01-01",
        "decision_ref": "AGE du 5 décembre 2025",
        "previous_version": first.pk,
        "changes": {"notice_days_first": [15, 21]},
    }


@pytest.mark.django_db
def test_fractions_are_stored_in_lowest_terms():
    statutes = statutes_create_version(
        actor=None,
        effective_from=dt.date(2025, 1, 1),
        values=parameters(quorum_ordinary_first="2/10", majority_extraordinary=Fraction(4, 6)),
    )
    statutes.refresh_from_db()
    assert statutes.quorum_ordinary_first == "1/5"
    assert statutes.majority_extraordinary == "2/3"


@pytest.mark.django_db
def test_service_refuses_a_missing_identity_and_a_non_administrator(english, member_user):
    with pytest.raises(ValidationError) as caught:
        statutes_create_version(
            actor=None, effective_from=dt.date(2025, 1, 1), values=parameters(name="")
        )
    assert "name" in caught.value.error_dict
    with pytest.raises(PermissionRefused):
        statutes_create_version(
            actor=member_user, effective_from=dt.date(2025, 1, 1), values=parameters()
        )
    with pytest.raises(ValueError, match="created_by"):
        statutes_create_version(
            actor=None, effective_from=dt.date(2025, 1, 1), values={"created_by": member_user}
        )
    assert not Statutes.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_new_versions_cannot_break_the_date_order():
    """Recording 1 June while 1 January is being recorded in another transaction: the second
    waits for the first, then sees it and is refused, instead of slipping in before it."""
    StatutesFactory(effective_from=dt.date(2024, 1, 1))
    june_saved, release_june = threading.Event(), threading.Event()
    outcome: dict[str, str] = {}

    def record_june() -> None:
        try:
            with transaction.atomic():
                statutes_create_version(
                    actor=None, effective_from=dt.date(2025, 6, 1), values=parameters()
                )
                june_saved.set()
                release_june.wait(timeout=10)
            outcome["june"] = "recorded"
        finally:
            june_saved.set()
            connection.close()

    def record_january() -> None:
        june_saved.wait(timeout=10)
        try:
            statutes_create_version(
                actor=None, effective_from=dt.date(2025, 1, 1), values=parameters()
            )
            outcome["january"] = "recorded"
        except DomainError as exc:
            outcome["january"] = exc.code
        finally:
            connection.close()

    june, january = threading.Thread(target=record_june), threading.Thread(target=record_january)
    june.start()
    january.start()
    january.join(timeout=0.5)  # it is waiting for the June transaction's lock
    release_june.set()
    june.join(timeout=10)
    january.join(timeout=10)
    assert outcome == {"june": "recorded", "january": "effective_date_not_after_latest"}
    assert list(Statutes.objects.order_by("id").values_list("effective_from", flat=True)) == [
        dt.date(2024, 1, 1),
        dt.date(2025, 6, 1),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE coop_statutes SET notice_days_first = 30 WHERE id = %s",
        "DELETE FROM coop_statutes WHERE id = %s",
    ],
)
def test_the_database_refuses_to_change_a_version(sql):
    statutes = StatutesFactory()
    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [statutes.pk])
    statutes.refresh_from_db()
    assert statutes.notice_days_first == 15


@pytest.mark.django_db
def test_the_orm_cannot_change_a_version_either():
    statutes = StatutesFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Statutes.objects.filter(pk=statutes.pk).update(name="Autre nom")
    with pytest.raises(IntegrityError), transaction.atomic():
        statutes.delete()
    assert Statutes.objects.get(pk=statutes.pk).name == "Coopérative d'essai"


# --- The form ------------------------------------------------------------------------------------


def test_sections_show_every_parameter_once():
    shown = [name for section in STATUTES_SECTIONS for name in section.fields]
    assert len(shown) == len(set(shown))
    assert set(shown) | {"decision_ref"} == set(PARAMETER_FIELDS)


def test_fraction_fields_are_text_inputs_with_an_example():
    form = StatutesForm()
    for name in Statutes.FRACTION_FIELDS:
        assert form.fields[name].widget.input_type == "text"
        assert re.search(r"e\.g\. \d+/\d+", str(form.fields[name].help_text)), name


@pytest.mark.django_db
def test_form_refuses_with_the_same_rules(english):
    StatutesFactory(effective_from=dt.date(2025, 1, 1))
    data = form_data(
        parameters(notice_days_first=14, capital_floor="1/10"), effective_from="2025-01-01"
    )
    form = StatutesForm(data)
    assert not form.is_valid()
    assert set(form.errors) == {"effective_from", "notice_days_first", "capital_floor"}
    assert "at least 15 days" in form.errors["notice_days_first"][0]
    # The database constraint on the notice period does not add a second, cryptic message.
    assert "__all__" not in form.errors


# --- Pages ---------------------------------------------------------------------------------------

PAGES = ["coop:statutes", "coop:statutes_create"]


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", PAGES)
def test_pages_send_anonymous_visitors_to_sign_in(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_pages_refuse_members(client, member_user):
    statutes = StatutesFactory()
    client.force_login(member_user)
    for url in [*map(reverse, PAGES), reverse("coop:statutes_detail", args=[statutes.pk])]:
        assert client.get(url).status_code == 403
    assert client.post(reverse("coop:statutes_create"), {}).status_code == 403


@pytest.mark.django_db
def test_pages_send_an_administrator_without_totp_to_set_it_up(client, admin_user):
    client.force_login(admin_user)
    for url_name in PAGES:
        response = client.get(reverse(url_name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("mfa_activate_totp"))
    response = client.post(reverse("coop:statutes_create"), {"effective_from": "2025-01-01"})
    assert response.status_code == 302
    assert not Statutes.objects.exists()


@pytest.mark.django_db
def test_index_shows_the_version_in_force_the_versions_to_come_and_the_history(admin_client):
    today = timezone.localdate()
    StatutesFactory(effective_from=dt.date(2020, 1, 1), decision_ref="AG constitutive")
    current = StatutesFactory(effective_from=dt.date(2024, 1, 1), decision_ref="AGE de 2023")
    future = StatutesFactory(
        effective_from=today + dt.timedelta(days=10), decision_ref="AGE à venir"
    )
    response = admin_client.get(reverse("coop:statutes"))
    assert response.status_code == 200
    html = response.content.decode()
    in_force = html.split("In force today", 1)[1].split("Versions to come", 1)[0]
    assert "AGE de 2023" in in_force
    assert reverse("coop:statutes_detail", args=[current.pk]) in in_force
    to_come = html.split("Versions to come", 1)[1].split("History", 1)[0]
    assert "AGE à venir" in to_come and "AGE de 2023" not in to_come
    history = html.split('id="history-title"', 1)[1]
    assert history.index("AGE à venir") < history.index("AGE de 2023")
    assert history.index("AGE de 2023") < history.index("AG constitutive")
    assert reverse("coop:statutes_detail", args=[future.pk]) in history
    assert '<th scope="col">' in history


@pytest.mark.django_db
def test_index_without_any_version_says_so(admin_client):
    response = admin_client.get(reverse("coop:statutes"))
    assert response.status_code == 200
    assert "No version of the statutes is in force today" in response.content.decode()


@pytest.mark.django_db
def test_index_query_count_does_not_grow_with_versions(admin_client, totp_admin):
    StatutesFactory.create_batch(2, created_by=totp_admin)
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(reverse("coop:statutes")).status_code == 200
    StatutesFactory.create_batch(20, created_by=totp_admin)
    with CaptureQueriesContext(connection) as many:
        assert admin_client.get(reverse("coop:statutes")).status_code == 200
    assert len(many) == len(few)


@pytest.mark.django_db
def test_detail_shows_every_section_and_fractions_as_percentages(admin_client):
    statutes = StatutesFactory(effective_from=dt.date(2024, 1, 1))
    response = admin_client.get(reverse("coop:statutes_detail", args=[statutes.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for title in (
        "Identity",
        "Members",
        "Colleges",
        "General assemblies",
        "Share capital",
        "Personal data",
    ):
        assert f">{title}</h2>" in html
    assert re.search(r"2/3\s*\(66.67%\)", html)
    assert re.search(r"1/5\s*\(20%\)", html)
    assert "€50.00" in html
    assert "Coopérative d&#x27;essai, SCIC SA (société anonyme) à capital variable" in html
    assert admin_client.get(reverse("coop:statutes_detail", args=[999999])).status_code == 404


@pytest.mark.django_db
def test_new_version_form_starts_from_the_latest_version(admin_client):
    StatutesFactory(effective_from=dt.date(2020, 1, 1), name="Ancien nom")
    StatutesFactory(
        effective_from=dt.date(2024, 1, 1),
        name="Nom actuel",
        quorum_ordinary_first="1/3",
        decision_ref="AGE de 2023",
    )
    form = admin_client.get(reverse("coop:statutes_create")).context["form"]
    assert form["name"].value() == "Nom actuel"
    assert form["quorum_ordinary_first"].value() == "1/3"
    assert not form["decision_ref"].value()
    assert not form["effective_from"].value()


@pytest.mark.django_db
def test_new_version_form_without_any_version_starts_from_the_defaults(admin_client):
    response = admin_client.get(reverse("coop:statutes_create"))
    assert response.status_code == 200
    form = response.context["form"]
    assert form["quorum_ordinary_first"].value() == "1/5"
    assert form["notice_days_first"].value() == 15
    assert not form["name"].value()
    html = response.content.decode()
    # Every field has its label, and every group of fields its legend.
    for field in form:
        assert f'for="{field.auto_id}"' in html, field.name
    assert html.count("<legend>") == 1 + len(STATUTES_SECTIONS) + 5


@pytest.mark.django_db
def test_an_administrator_records_a_new_version_through_the_form(admin_client, totp_admin):
    StatutesFactory(effective_from=dt.date(2024, 1, 1))
    data = form_data(
        parameters(
            notice_days_first=21,
            quorum_extraordinary_first="1/3",
            revote_allowed=True,
            decision_ref="AGE du 3 mars 2026",
        ),
        effective_from="2026-04-01",
    )
    response = admin_client.post(reverse("coop:statutes_create"), data, follow=True)
    created = Statutes.objects.get(effective_from=dt.date(2026, 4, 1))
    assert response.redirect_chain == [(reverse("coop:statutes_detail", args=[created.pk]), 302)]
    assert "The new version of the statutes, in force from April 1, 2026, is recorded." in (
        response.content.decode()
    )
    assert (created.notice_days_first, created.quorum_extraordinary_first) == (21, "1/3")
    assert created.revote_allowed is True
    assert created.created_by == totp_admin
    event = AuditEvent.objects.get(action="statutes.version_created")
    assert event.actor == totp_admin
    assert event.data["changes"]["notice_days_first"] == [15, 21]


@pytest.mark.django_db
def test_an_invalid_form_shows_the_errors_and_records_nothing(admin_client):
    StatutesFactory(effective_from=dt.date(2024, 1, 1))
    data = form_data(
        parameters(notice_days_second=7, majority_ordinary="2/5", public_bodies_capital_cap="2/3"),
        effective_from="2026-04-01",
    )
    response = admin_client.post(reverse("coop:statutes_create"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "The version was not recorded" in html
    assert "at least 10 days before the meeting, the legal minimum" in html
    assert "Majority: at least 1/2 of the votes expressed." in html
    assert "at most 1/2 of the capital (the legal maximum)" in html
    assert 'aria-invalid="true"' in html
    assert 'href="#id_notice_days_second"' in html
    # What was typed is kept, so nothing has to be entered again.
    assert response.context["form"]["majority_ordinary"].value() == "2/5"
    assert Statutes.objects.count() == 1
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_a_form_dated_before_the_latest_version_is_refused(admin_client):
    StatutesFactory(effective_from=dt.date(2025, 1, 1))
    data = form_data(parameters(), effective_from="2024-06-01")
    response = admin_client.post(reverse("coop:statutes_create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["effective_from"] == [
        "A new version must take effect after the latest version, which is in force from "
        "Jan. 1, 2025. Versions are never changed or inserted before others."
    ]
    assert Statutes.objects.count() == 1
