"""coop.fields: the bounds every form of the project applies (issue 15)."""

import datetime as dt
import importlib
import inspect
import pkgutil

import pytest
from django import forms

from coop.fields import DATE_MAX, GuardedForm, GuardedFormMixin


class _Form(GuardedForm):
    name = forms.CharField(required=False)
    kind = forms.ChoiceField(choices=[("a", "A")], required=False)
    count = forms.IntegerField(required=False)
    shares = forms.IntegerField(required=False, min_value=1)
    on = forms.DateField(required=False)
    at = forms.DateTimeField(required=False)


def test_a_control_character_in_any_field_is_a_form_error():
    for field, value in [("name", "Zo\x00é"), ("name", "a\x1bb"), ("kind", "a\x00")]:
        form = _Form({field: value})
        assert not form.is_valid()
        assert "invisible control character" in str(form.errors[field])
    assert _Form({"name": "deux\r\nlignes\tet une tabulation"}).is_valid()


@pytest.mark.parametrize("field", ["count", "shares"])
def test_integers_stay_in_the_databases_range(field):
    form = _Form({field: "2147483648"})
    assert not form.is_valid()
    assert "This number is too large" in str(form.errors[field])
    assert _Form({field: "2147483647"}).is_valid()


def test_dates_stay_away_from_the_ends_of_the_calendar():
    for data in ({"on": "9999-12-31"}, {"on": "0001-01-01"}, {"at": "9999-12-31 23:59"}):
        form = _Form(data)
        assert not form.is_valid()
        assert "Give a date between" in str(form.errors)
    assert _Form({"on": DATE_MAX.isoformat()}).is_valid()
    assert _Form({"on": (DATE_MAX + dt.timedelta(days=1)).isoformat()}).errors


def test_every_form_of_the_project_is_guarded():
    unguarded = []
    for app in ("coop", "members", "capital", "governance", "heritage"):
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" in info.name or ".settings" in info.name:
                continue
            module = importlib.import_module(info.name)
            for _name, cls in inspect.getmembers(module, inspect.isclass):
                if (
                    cls.__module__ == module.__name__
                    and issubclass(cls, forms.BaseForm)
                    and not issubclass(cls, GuardedFormMixin)
                    and cls.__module__ != "coop.fields"
                ):
                    unguarded.append(f"{cls.__module__}.{cls.__qualname__}")
    assert unguarded == []
