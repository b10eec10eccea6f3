"""The option table is the one declaration of a construction's options (issue #22, item 2): options(), the
record in Ĝ's meta, verify's types, the command's flags and the API's keywords all derive from it, so none
can lag another (as Hypothesis guards ``all_settings`` against the signature of ``settings``)."""

from __future__ import annotations

import argparse
import dataclasses
import inspect
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import logprune
from logprune.cli import build_parser
from logprune.construct import verify as verify_module
from logprune.construct.io.strict_json import json_type
from logprune.construct.options import OPTION, OPTIONS, Options, json_types, options
from logprune.errors import ParameterError, ParameterTypeError


def _subparser(name: str) -> argparse.ArgumentParser:
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    parser = sub.choices[name]  # type: ignore[index]
    assert isinstance(parser, argparse.ArgumentParser)
    return parser


def test_every_field_of_options_is_one_option_of_the_table() -> None:
    assert [f.name for f in dataclasses.fields(Options)] == [o.name for o in OPTIONS]
    assert len({o.flag for o in OPTIONS}) == len(OPTIONS)


def test_options_takes_exactly_the_table_keywords_with_its_defaults() -> None:
    params = inspect.signature(options).parameters
    assert list(params) == [o.name for o in OPTIONS]
    for o in OPTIONS:
        assert params[o.name].kind is inspect.Parameter.KEYWORD_ONLY
        assert params[o.name].default == o.default
    with pytest.raises(ParameterError, match=r"^colour='red': not an option \(the options: eps, delta"):
        options(eps="0.1", colour="red")


def test_every_default_is_valid_and_recorded_with_its_declared_json_type() -> None:
    opt = options(eps="0.1")
    record = opt.as_json()
    for o in OPTIONS:
        value = getattr(opt, o.name)
        assert value == o.parse(o.default if o.name != "eps" else "0.1")
        if o.written(value):
            assert json_type(record[o.name]) in o.json_types, o.name
        else:
            assert o.name not in record and o.optional_record


def test_verify_demands_the_table_types_and_optional_records() -> None:
    assert verify_module.OPTION_TYPES == json_types()
    assert verify_module.OPTIONAL_OPTIONS == {o.name for o in OPTIONS if o.optional_record}


@pytest.mark.parametrize("command", ["construct", "demo"])
def test_the_command_has_one_flag_per_option_with_its_choices_and_help(command: str) -> None:
    actions = {a.dest: a for a in _subparser(command)._actions}
    for o in OPTIONS:
        a = actions[o.name]
        assert a.option_strings == [o.flag]
        assert a.help is not None and a.help.startswith(o.help)
        if o.switch:
            assert isinstance(a, argparse._StoreTrueAction)
        else:
            assert a.default is None  # not given: options() takes the table's default
            assert (tuple(a.choices) if a.choices is not None else None) == o.choices


def test_the_api_takes_every_option_the_command_takes() -> None:
    params = inspect.signature(logprune.prune).parameters
    for o in OPTIONS:
        assert o.name in params and params[o.name].default == o.default
    for run in ("workers", "scheduler", "inputs", "progress", "a_posteriori", "attack"):
        assert run in params
    cli = {a.dest for a in _subparser("construct")._actions} - {"help", "json", "output", "out", "target"}
    cli_to_api = {"quiet": "progress", "restarts": "attack", "steps": "attack"}
    assert {cli_to_api.get(d, d) for d in cli} <= set(params)


_VALUES: dict[str, Any] = {
    "eps": st.sampled_from(["0.1", "1/20", 0.05]),
    "delta": st.sampled_from(["1/100", "0.001", "1e-6"]),
    "seed": st.integers(0, 2**40),
    "dist": st.sampled_from(["hyperbolic", "uniform"]),
    "pooling": st.sampled_from(["shared", "per-weight"]),
    "method": st.just("subset-sum"),
    "inputs_nonnegative": st.booleans(),
    "x_max": st.sampled_from([1, "28", "1/2"]),
    "norm": st.sampled_from(["l2", "inf"]),
    "width": st.sampled_from([None, 12, "adaptive", "calibrated"]),
    "arithmetic": st.sampled_from(["exact", "ball", "float"]),
    "signs": st.sampled_from(["iid", "designed"]),
    "support": st.sampled_from(["separate", "shared"]),
    "prune": st.sampled_from(["fewest", "nearest"]),
    "segments": st.sampled_from([None, 7, (7, 9)]),
}


@settings(max_examples=60, deadline=None)
@given(st.fixed_dictionaries(_VALUES))
def test_a_request_survives_its_record(request: dict[str, Any]) -> None:
    """options(**opt.as_json()) is opt: the record Ĝ's meta holds is the request, and verify reads it back."""
    if request["width"] == "calibrated" and request["signs"] != "iid":
        request["signs"] = "iid"
    opt = options(**request)
    assert options(**opt.as_json()) == opt
    assert set(opt.as_json()) <= set(OPTION)


def test_a_boolean_option_is_a_boolean_not_a_truthy_text() -> None:
    with pytest.raises(ParameterTypeError, match=r"^inputs_nonnegative='False': expected True or False"):
        options(eps="0.1", inputs_nonnegative="False")
