"""The registry of the table's rows (issue #22, item 4): one module per source declares its rows and its
constants, and the setting, the command, the API and the docs read them from there."""

from __future__ import annotations

import pkgutil
from fractions import Fraction

import pytest

import logprune
from logprune.bounds import rows as registry
from logprune.bounds.rows import row_names, sources, table, user_constants
from logprune.bounds.setting import setting
from logprune.cli import build_parser
from logprune.errors import ParameterError

SETTINGS = [
    {"n": 100, "layers": 10, "eps": "1/100", "delta": "1/100"},
    {"widths": [784, 500, 10], "eps": "1/10", "delta": "1/100", "w_max": "1/2", "x_max": 28, "norms": [9, 3]},
    {"n": 20, "layers": 1, "eps": "1/10", "delta": "1/10", "w_max": "1/4", "x_max": 1, "pensia_c": 3},
]


def test_every_module_of_the_package_is_a_source_but_the_row_type() -> None:
    modules = {m.name for m in pkgutil.iter_modules(registry.__path__)}
    declared = {s.rows.__module__.rsplit(".", 1)[1] for s in sources()}
    assert modules - declared == {"row"}
    assert len({s.order for s in sources()}) == len(sources())
    assert len(set(row_names())) == len(row_names())


@pytest.mark.parametrize("kw", SETTINGS)
def test_each_source_computes_exactly_the_rows_it_declares(kw: dict[str, object]) -> None:
    st = setting(**kw)
    for s in sources():
        assert tuple(r.name for r in s.rows(st)) == s.names
    assert tuple(r.name for r in table(st)) == row_names()


def test_a_constant_is_declared_by_its_source_and_read_by_setting_the_command_and_the_api() -> None:
    (pc,) = user_constants()
    assert pc.name == "pensia_c" and pc.flag == "--pensia-c"
    st = setting(n=10, layers=2, eps="1/10", delta="1/10", pensia_c="3/2")
    assert st.constant("pensia_c") == Fraction(3, 2) and st.as_json()["pensia_c"] == "3/2"
    with pytest.raises(ParameterError, match=r"^colour_c=2: not a parameter of the table"):
        setting(n=10, layers=2, eps="1/10", delta="1/10", colour_c=2)
    with pytest.raises(ParameterError, match=r"^pensia_c=0: must be > 0"):
        setting(n=10, layers=2, eps="1/10", delta="1/10", pensia_c=0)
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    flags = {o for a in sub.choices["bounds"]._actions for o in a.option_strings}  # type: ignore[index]
    assert pc.flag in flags
    table_api = logprune.bounds_table(n=10, layers=2, eps="0.1", delta="0.1", pensia_c=2)
    assert table_api.row("pensia2020").sampled_weights is not None
