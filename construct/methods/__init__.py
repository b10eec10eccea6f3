"""Pruning methods as strategies: each owns its block-size bound and its selection rule.

- :mod:`~logprune.construct.methods.protocol`: what a method is asked (:class:`BlockProblem`, the block-size
  :class:`BoundRequest`) and what it answers (:class:`Picked`), and the :class:`Selection` base class;
- one module per method, ``logprune.construct.methods.<name>`` (``-`` written ``_``): ``golden`` (L3),
  ``malach`` (L1), ``subset_sum`` (the optimal pruner), each exporting its selection as ``SELECTION``.

:func:`strategy` finds a method's module from its :class:`~logprune.choices.Method` member, so adding a
method is one enumeration member and one module here.
"""

from __future__ import annotations

import importlib

from logprune.choices import Method
from logprune.construct.methods.protocol import BlockProblem, BoundRequest, Picked, Selection

__all__ = ["BlockProblem", "BoundRequest", "Picked", "Selection", "strategy"]


def strategy(method: Method) -> Selection:
    """The :class:`Selection` of ``method`` (module ``logprune.construct.methods.<name>``)."""
    module = importlib.import_module(f"logprune.construct.methods.{method.value.replace('-', '_')}")
    sel: Selection = module.SELECTION
    return sel
