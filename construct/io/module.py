"""Reading the target F from the ``torch.nn.Module`` a user holds (never from a pickled module file).

The module's forward is traced with ``torch.fx`` (symbolic tracing: no input is run), so the chain is the
one the model computes, functional calls included (``F.relu(self.fc1(x))``): every node must take the
previous node's output (a chain; a skip connection is refused).  Accepted, as torch defines them:

- ``nn.Linear`` (a layer of F); ``nn.ReLU``, ``F.relu``, ``torch.relu``, ``x.relu()`` (the activation);
- ``nn.BatchNorm1d`` in eval mode (``model.eval()``): folded into its adjacent Linear with the module's own
  ``eps`` (:func:`~logprune.construct.target.fold_batchnorm`);
- ``nn.Dropout`` (the identity in eval mode, which is what is certified), ``nn.Identity``, ``nn.Flatten``,
  ``torch.flatten``, ``x.view``/``x.reshape``/``x.flatten`` (F reads a batch of feature vectors);

anything else (a convolution, another activation, an attention layer) is refused by its name and type,
saying what logprune reads.  When the forward cannot be traced (data-dependent control flow), the modules
are taken in registration order, and ReLU between the linear layers is assumed and said so.
"""

from __future__ import annotations

import operator
from fractions import Fraction
from typing import Any

import numpy as np

from logprune.construct.io.layers import MlpLayers, Op, assemble
from logprune.errors import ParameterError

__all__ = ["module_layers"]

_IDENTITY_MODULES = ("Dropout", "AlphaDropout", "FeatureAlphaDropout", "Identity", "Flatten")
_IDENTITY_METHODS = ("view", "reshape", "flatten", "contiguous", "float", "double")
_SIDE_METHODS = ("size", "dim")  # computed from the chain's tensor without replacing it (x.view(x.size(0), -1))
_READS = "logprune reads Linear, ReLU, BatchNorm1d (eval mode), Dropout, Identity and Flatten"


def _array(t: Any) -> np.ndarray | None:
    """A parameter or buffer as a float64 numpy array, exactly (float16/32/64 and bfloat16 widen exactly)."""
    if t is None:
        return None
    import torch

    t = t.detach().cpu()
    if t.dtype == torch.bfloat16:
        t = t.to(torch.float32)
    if not t.is_floating_point():
        raise ParameterError(f"a parameter of dtype {t.dtype}: expected real floating-point weights")
    return np.asarray(t.numpy(), dtype=np.float64)


def _module_op(name: str, m: Any) -> Op:
    """The step of the chain a module is (module doc), or a one-line refusal naming it."""
    import torch

    kind = type(m).__name__
    if isinstance(m, torch.nn.Linear):
        return Op(kind="linear", name=name, weight=_array(m.weight), bias=_array(m.bias))
    if isinstance(m, torch.nn.ReLU):
        return Op(kind="relu", name=name)
    if isinstance(m, torch.nn.BatchNorm1d):
        if m.training:
            raise ParameterError(
                f"{name} (BatchNorm1d) is in training mode: call model.eval() first (its running statistics are "
                "what is folded)"
            )
        return Op(
            kind="batchnorm",
            name=name,
            weight=_array(m.weight),
            bias=_array(m.bias),
            mean=_array(m.running_mean),
            var=_array(m.running_var),
            eps=Fraction(float(m.eps)),
        )
    if kind in _IDENTITY_MODULES:
        return Op(kind="identity", name=name, what=kind)
    hint = " (convolutional targets are not read yet)" if "Conv" in kind or "Pool" in kind else ""
    raise ParameterError(f"{name} ({kind}): not a layer of a ReLU MLP{hint}; {_READS}")


def _function_op(node: Any) -> Op | None:
    """A call_function or call_method node: an Op, None for a side computation (x.size(0)), or a refusal."""
    import torch
    import torch.nn.functional as F  # noqa: N812 - torch's own spelling

    if node.op == "call_method":
        if node.target == "relu":
            return Op(kind="relu", name=f"{node.name} (x.relu())")
        if node.target in _IDENTITY_METHODS:
            return Op(kind="identity", name=node.name, what=f"x.{node.target}")
        if node.target in _SIDE_METHODS:
            return None
        raise ParameterError(f"{node.name} (x.{node.target}(...)): not a step of a ReLU MLP; {_READS}")
    fn = node.target
    if fn in (F.relu, torch.relu):
        return Op(kind="relu", name=f"{node.name} ({getattr(fn, '__name__', 'relu')})")
    if fn in (torch.flatten, F.dropout):
        return Op(kind="identity", name=node.name, what=getattr(fn, "__name__", "identity"))
    if fn is operator.getitem:  # x.size()[0] and the like: side computations
        return None
    name = getattr(fn, "__name__", str(fn))
    raise ParameterError(f"{node.name} ({name}(...)): not a step of a ReLU MLP; {_READS}")


def _traced(model: Any) -> list[Op]:
    """The chain of the traced forward (module doc); raises the tracer's error when it cannot trace."""
    import torch.fx

    gm = torch.fx.symbolic_trace(model)
    ops: list[Op] = []
    current = None
    for node in gm.graph.nodes:
        if node.op == "placeholder":
            if current is not None:
                raise ParameterError(f"{node.name}: the forward takes several inputs; F takes one")
            current = node
            continue
        if node.op == "get_attr":
            raise ParameterError(
                f"{node.target}: the forward reads a tensor of the module directly; not a chain of layers"
            )
        if node.op == "output":
            if node.args[0] is not current:
                raise ParameterError("the forward's output is not the last layer's: not a chain of layers")
            break
        if not node.args or node.args[0] is not current:
            raise ParameterError(f"{node.name}: does not take the previous layer's output (not a chain of layers)")
        others = [a for a in list(node.args[1:]) + list(node.kwargs.values()) if isinstance(a, torch.fx.Node)]
        side_ok = node.op == "call_method" and node.target in _IDENTITY_METHODS
        if others and not side_ok and not all(a.op == "call_method" and a.target in _SIDE_METHODS for a in others):
            raise ParameterError(
                f"{node.name}: combines the chain with another tensor (a skip connection?): not an MLP"
            )
        step = (
            _module_op(str(node.target), gm.get_submodule(node.target))
            if node.op == "call_module"
            else _function_op(node)
        )
        if step is None:  # a side computation: the chain's tensor is still the previous node's
            continue
        ops.append(step)
        current = node
    return ops


def module_layers(model: Any) -> MlpLayers:
    """The linear layers of an ``nn.Module`` (module doc), BatchNorms folded, with notes."""
    import torch

    if not isinstance(model, torch.nn.Module):
        raise ParameterError(f"target={type(model).__name__}: not a torch.nn.Module")
    source = type(model).__name__
    notes: list[str] = []
    if any(isinstance(m, torch.nn.modules.dropout._DropoutNd) and m.training for m in model.modules()):
        notes.append("Dropout is the identity: the eval-mode network is what is certified")
    try:
        ops = _traced(model)
        relu_visible = True
    except ParameterError:
        raise
    except Exception as exc:  # torch.fx cannot trace it (data-dependent control flow, ...): the modules' order
        first = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else type(exc).__name__
        leaves = [(n, m) for n, m in model.named_modules() if not list(m.children())]
        ops = [_module_op(n, m) for n, m in leaves]
        held = {f"{n}.{p}" if n else p for n, m in leaves for p, _ in m.named_parameters(recurse=False)}
        stray = [p for p, _ in model.named_parameters() if p not in held]
        if stray:  # a parameter the forward uses directly: the modules' order does not say how
            raise ParameterError(
                f"{stray[0]}: a parameter outside any layer, and the forward could not be traced ({first})"
            ) from None
        relu_visible = False
        notes.append(f"the forward could not be traced ({first}): the modules are taken in registration order")
    return assemble(ops, source=source, relu_visible=relu_visible, notes=notes)
