"""Every lrlab rule and schedule next to its PyTorch, Keras and optax counterpart.

One table, kept as data (:data:`RULE_ROWS`, :data:`SCHEDULE_ROWS`), read in two
places: notebook 09 shows :func:`markdown_table`, and ``docs/rule_table.md`` is
:func:`rule_table_document`, written by

.. code-block:: bash

    python -m lrlab.rules.table docs/rule_table.md          # regenerate
    python -m lrlab.rules.table docs/rule_table.md --check  # exit 1 if out of date

The PyTorch column is each lrlab object's own ``.torch`` text, so it cannot drift
from the code; the lrlab column is rendered from the same :class:`Call` that
builds the object. Keras and optax names and defaults are as of Keras 3 and
optax 0.2, and often differ from PyTorch's: copy the values, not just the names.
Where optax's function computes something else, the *differences* column says how
(read in optax's source). :func:`compact_table` is the short version, names only.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import rules as _rules
from .. import schedules as _schedules
from .. import surfaces as _surfaces

__all__ = ["PROBLEM", "RULE_ROWS", "SCHEDULE_ROWS", "Call", "Counterpart", "compact_table",
           "main", "markdown_table", "rule_table_document", "write_rule_table"]

#: The two namespaces a table entry's factory may come from, as users import them.
NAMESPACES = {"rules": _rules, "schedules": _schedules}


class _Problem:
    """The placeholder ``P`` of the rules that read ``L`` (and ``mu``) from a problem."""

    text = "P"
    definition = "P = surfaces.quadratic([1.0, 10.0])"

    def build(self) -> Any:
        return _surfaces.quadratic([1.0, 10.0])

    def __repr__(self) -> str:
        return self.text


#: Stands for a problem in a :class:`Call`; renders as ``P`` and builds ``quadratic([1, 10])``.
PROBLEM = _Problem()


@dataclass(frozen=True)
class Call:
    """An lrlab factory call kept as data: it renders as the code a user types and builds it.

    Parameters
    ----------
    factory : callable
        A public factory of :mod:`lrlab.rules` or :mod:`lrlab.schedules`.
    args : tuple
        Positional arguments: numbers, lists, other :class:`Call` objects or :data:`PROBLEM`.
    kwargs : dict
        Keyword arguments, rendered in the order given.

    Examples
    --------
    >>> from lrlab import schedules
    >>> call = Call(schedules.warmup, (Call(schedules.cosine, (0.1, 100)), 10))
    >>> call.text
    'schedules.warmup(schedules.cosine(0.1, 100), 10)'
    >>> float(call.build()(0))
    0.01
    """

    factory: Callable[..., Any]
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        _namespace(self.factory)  # a factory users cannot import by its name fails here

    @property
    def namespace(self) -> str:
        """``'rules'`` or ``'schedules'``: where users import the factory from."""
        return _namespace(self.factory)

    @property
    def text(self) -> str:
        """The call as a user writes it, e.g. ``'rules.sgd(0.01)'``."""
        parts = [_text(a) for a in self.args]
        parts += [f"{k}={_text(v)}" for k, v in self.kwargs.items()]
        return f"{self.namespace}.{self.factory.__name__}({', '.join(parts)})"

    def build(self) -> Any:
        """The rule or schedule the call returns."""
        return self.factory(*(_build(a) for a in self.args),
                            **{k: _build(v) for k, v in self.kwargs.items()})


def _namespace(factory: Callable[..., Any]) -> str:
    name = getattr(factory, "__name__", repr(factory))
    for prefix, module in NAMESPACES.items():
        if name in module.__all__ and getattr(module, name) is factory:
            return prefix
    raise ValueError(f"The 'factory' parameter of Call must be a public factory of "
                     f"lrlab.rules or lrlab.schedules. Got {name!r} instead.")


def _text(value: Any) -> str:
    if isinstance(value, Call | _Problem):
        return value.text
    if isinstance(value, list | tuple):
        inner = ", ".join(_text(v) for v in value)
        return f"[{inner}]" if isinstance(value, list) else f"({inner})"
    return repr(value)


def _build(value: Any) -> Any:
    if isinstance(value, Call | _Problem):
        return value.build()
    if isinstance(value, list | tuple):
        return type(value)(_build(v) for v in value)
    return value


@dataclass(frozen=True)
class Counterpart:
    """One row: an lrlab call and what the other libraries call the same thing.

    ``keras`` and ``optax`` name the counterpart with its defaults, ``"—"`` when
    there is none; ``note`` says how it differs where the names alone mislead
    (defaults); ``differences`` where optax *computes* something else, and how to match.
    The PyTorch counterpart is the built object's ``.torch`` text.
    """

    call: Call
    keras: str
    optax: str
    note: str = ""
    differences: str = ""

    @property
    def torch(self) -> str:
        """The lrlab object's own account of its PyTorch twin (``"—"`` when it has none)."""
        return getattr(self.call.build(), "torch", None) or "—"


_r, _s = _rules, _schedules

#: Rules, line searches, clipping and plateau, in the order of the course.
RULE_ROWS: tuple[Counterpart, ...] = (
    Counterpart(Call(_r.sgd, (0.01,)),
                "keras.optimizers.SGD(learning_rate=0.01, momentum=0.0, nesterov=False)",
                "optax.sgd(learning_rate, momentum=None, nesterov=False)"),
    Counterpart(Call(_r.adagrad),
                "keras.optimizers.Adagrad(learning_rate=0.001, initial_accumulator_value=0.1, "
                "epsilon=1e-7)",
                "optax.adagrad(learning_rate, initial_accumulator_value=0.1, eps=1e-7)",
                "Keras and optax start the accumulator at 0.1, PyTorch and lrlab at 0",
                "optax divides by √(G + ε), ε inside the square root; lrlab and PyTorch by √G + ε"),
    Counterpart(Call(_r.rmsprop),
                "keras.optimizers.RMSprop(learning_rate=0.001, rho=0.9, momentum=0.0, "
                "epsilon=1e-7, centered=False)",
                "optax.rmsprop(learning_rate, decay=0.9, eps=1e-8, centered=False)",
                "PyTorch's alpha is Keras's rho and optax's decay (0.99 against 0.9)",
                "optax divides by √(v + ε), ε inside the square root (its default "
                "eps_in_sqrt=True); eps_in_sqrt=False gives lrlab's and PyTorch's √v + ε"),
    Counterpart(Call(_r.adadelta),
                "keras.optimizers.Adadelta(learning_rate=0.001, rho=0.95, epsilon=1e-7)",
                "optax.adadelta(learning_rate=1.0, rho=0.9, eps=1e-6)",
                "Keras's learning rate of 0.001 scales the update 1000x down from PyTorch's 1.0",
                "optax's default learning_rate=None skips the scaling by -1 as well, so its "
                "updates climb the loss; with learning_rate=1.0 it is lrlab's update"),
    Counterpart(Call(_r.adam),
                "keras.optimizers.Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, "
                "epsilon=1e-7)",
                "optax.adam(learning_rate, b1=0.9, b2=0.999, eps=1e-8)"),
    Counterpart(Call(_r.amsgrad), "keras.optimizers.Adam(..., amsgrad=True)",
                "optax.amsgrad(learning_rate, b1=0.9, b2=0.999, eps=1e-8)", "",
                "optax keeps the largest bias-corrected moment, max_s v_s/(1 - β₂^s); lrlab and "
                "PyTorch keep max_s v_s and divide it by the current 1 - β₂^t, so early steps "
                "differ (scale_by_amsgrad's bias_correction_nu=False drops the correction)"),
    Counterpart(Call(_r.adamw),
                "keras.optimizers.AdamW(learning_rate=0.001, weight_decay=0.004, ...)",
                "optax.adamw(learning_rate, b1=0.9, b2=0.999, eps=1e-8, weight_decay=1e-4)",
                "three libraries, three default weight decays (1e-2, 0.004, 1e-4)"),
    Counterpart(Call(_r.ftrl, (0.1,)),
                "keras.optimizers.Ftrl(learning_rate=0.001, learning_rate_power=-0.5, "
                "initial_accumulator_value=0.1, beta=0.0)", "—"),
    Counterpart(Call(_r.ftrl_time, (0.1,), {"gamma": 0.1}), "—", "—",
                "Keras's Ftrl learning_rate_power changes the exponent of the gradient rate, "
                "not a time factor"),
    Counterpart(Call(_r.parabola), "—", "—"),
    Counterpart(Call(_r.dog), "—", "optax.contrib.dog", "in recent optax versions"),
    Counterpart(Call(_r.schedule_free_sgd), "—", "optax.contrib.schedule_free_sgd"),
    Counterpart(Call(_r.inverse_smoothness, (PROBLEM,)), "SGD(learning_rate=1/L)",
                "optax.sgd(1/L)", "you compute L; lrlab reads it from the problem"),
    Counterpart(Call(_r.optimal_constant, (PROBLEM,)), "SGD(learning_rate=2/(mu+L))",
                "optax.sgd(2/(mu+L))", "you compute mu and L; lrlab reads them from the problem"),
    Counterpart(Call(_r.exact_line_search, (PROBLEM,)), "—", "—"),
    Counterpart(Call(_r.armijo), "—",
                "optax.scale_by_backtracking_linesearch(max_backtracking_steps, "
                "slope_rtol=1e-4, decrease_factor=0.8)"),
    Counterpart(Call(_r.polyak, (0.0,)), "—",
                "optax.polyak_sgd(max_learning_rate=1.0, f_min=0.0)", "",
                "optax caps the step at max_learning_rate=1 (lrlab: no cap unless max_lr); its "
                "default 'sps' keeps a negative f - f*, lrlab clips it at 0 (optax's 'sps+')"),
    Counterpart(Call(_r.barzilai_borwein), "—", "—"),
    Counterpart(Call(_r.clip_by_norm, (1.0,)), "optimizer argument global_clipnorm=1.0",
                "optax.clip_by_global_norm(max_norm)",
                "Keras's clipnorm (without global_) clips each tensor separately",
                "optax scales by c/‖g‖ when ‖g‖ ≥ c, without the +1e-6 of lrlab's and "
                "PyTorch's min(1, c/(‖g‖ + 1e-6))"),
    Counterpart(Call(_r.clip_by_value, (1.0,)), "optimizer argument clipvalue=1.0",
                "optax.clip(max_delta)"),
    Counterpart(Call(_r.reduce_on_plateau, (0.1,)),
                "keras.callbacks.ReduceLROnPlateau(monitor='val_loss', factor=0.1, patience=10, "
                "min_delta=1e-4)",
                "optax.contrib.reduce_on_plateau(factor=0.1, patience=10, rtol=1e-4)", "",
                "optax counts patience values without improvement (lrlab, PyTorch: patience + 1) "
                "and cuts the update of that step (they: from the next): its patience=p + 1 cuts "
                "one step before lrlab's p, every time"),
)

#: Learning-rate schedules, in the order of notebook 04.
SCHEDULE_ROWS: tuple[Counterpart, ...] = (
    Counterpart(Call(_s.constant, (0.1,)), "a float learning_rate",
                "optax.constant_schedule(value)"),
    Counterpart(Call(_s.inverse_time, (0.1,), {"decay_rate": 0.5}),
                "keras.optimizers.schedules.InverseTimeDecay(initial_learning_rate, "
                "decay_steps, decay_rate, staircase=False)",
                "—", "optax takes any callable: lambda t: lr / (1 + decay_rate * t / decay_steps)"),
    Counterpart(Call(_s.inverse_sqrt, (0.1,)), "—", "—",
                "optax takes any callable: lambda t: lr * (1 + t / decay_steps) ** -0.5"),
    Counterpart(Call(_s.polynomial, (0.1, 100)),
                "keras.optimizers.schedules.PolynomialDecay(initial_learning_rate, decay_steps, "
                "end_learning_rate=0.0001, power=1.0)",
                "optax.polynomial_schedule(init_value, end_value, power, transition_steps)"),
    Counterpart(Call(_s.step, (0.1, 30)),
                "keras.optimizers.schedules.ExponentialDecay(..., staircase=True)",
                "optax.exponential_decay(..., staircase=True)"),
    Counterpart(Call(_s.multistep, (0.1, [30, 60])),
                "keras.optimizers.schedules.PiecewiseConstantDecay(boundaries, values)",
                "optax.piecewise_constant_schedule(init_value, boundaries_and_scales)"),
    Counterpart(Call(_s.exponential, (0.1, 0.95)),
                "keras.optimizers.schedules.ExponentialDecay(initial_learning_rate, decay_steps, "
                "decay_rate)",
                "optax.exponential_decay(init_value, transition_steps, decay_rate)"),
    Counterpart(Call(_s.linear, (0.1, 0.1, 1.0, 10)), "PolynomialDecay(power=1.0)",
                "optax.linear_schedule(init_value, end_value, transition_steps)"),
    Counterpart(Call(_s.cosine, (0.1, 100)),
                "keras.optimizers.schedules.CosineDecay(initial_learning_rate, decay_steps, "
                "alpha=0.0)",
                "optax.cosine_decay_schedule(init_value, decay_steps, alpha=0.0)"),
    Counterpart(Call(_s.cosine_restarts, (0.1, 20)),
                "keras.optimizers.schedules.CosineDecayRestarts(initial_learning_rate, "
                "first_decay_steps, t_mul=2.0, m_mul=1.0)",
                "optax.sgdr_schedule(cosine_kwargs)"),
    Counterpart(Call(_s.cyclic, (0.01, 0.1, 10)), "—", "—"),
    Counterpart(Call(_s.one_cycle, (0.1, 100)), "—",
                "optax.cosine_onecycle_schedule(transition_steps, peak_value, pct_start=0.3, "
                "div_factor=25.0, final_div_factor=1e4)", "",
                "optax peaks at step int(pT), ends at T; lrlab and PyTorch at pT - 1 and T - 1"),
    Counterpart(Call(_s.warmup, (Call(_s.cosine, (0.1, 100)), 10)),
                "CosineDecay(..., warmup_target, warmup_steps)",
                "optax.warmup_cosine_decay_schedule(init_value, peak_value, warmup_steps, "
                "decay_steps)", "",
                "optax's decay_steps counts the warm-up: warmup(cosine(lr, T), W) is "
                "warmup_cosine_decay_schedule(lr/(W + 1), lr, W, W + T)"),
    Counterpart(Call(_s.join, ([Call(_s.constant, (0.1,)), Call(_s.constant, (0.01,))], [50])),
                "—", "optax.join_schedules(schedules, boundaries)"),
    Counterpart(Call(_s.wsd, (0.1, 100), {"decay_steps": 20, "warmup_steps": 10}), "—",
                "optax.join_schedules([linear_schedule(0, lr, W), constant_schedule(lr), "
                "linear_schedule(lr, final_lr, D)], [W, T - D])",
                "warmup-stable-decay; optax's ramp from 0 is start_factor=0; cool-down "
                "shapes 'linear', 'cosine', 'sqrt' (1 - sqrt); Hugging Face: get_wsd_schedule"),
    Counterpart(Call(_s.stack, ([Call(_s.constant, (0.1,)), Call(_s.cosine, (0.1, 100))],)),
                "—", "—", "K schedules as K runs of one training call"),
)

#: What the table says about L-BFGS, which is a baseline (``lrlab.baselines``), not a rule.
LBFGS_NOTE = ("L-BFGS: `lrlab.baselines.lbfgs(problem, num_steps, m=10)` runs scipy's L-BFGS-B; "
              "PyTorch: `torch.optim.LBFGS(params, lr=1, max_iter=20, history_size=100, "
              "line_search_fn=None)`; optax: `optax.lbfgs(memory_size=10)`; Keras: none.")


def _cell(text: str) -> str:
    """Text safe inside one Markdown table cell (pipes escaped, one line)."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(rows: Sequence[Counterpart], what: str) -> str:
    lines = [f"| lrlab {what} | PyTorch (the object's `.torch`) | Keras | optax | note | "
             "differences (what optax computes otherwise) |", "|---|---|---|---|---|---|"]
    for row in rows:
        cells = [f"`{row.call.text}`", row.torch, row.keras, row.optax, row.note,
                 row.differences]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines)


_PREFIXES = ("torch.optim.lr_scheduler.", "torch.optim.", "torch.nn.utils.", "optax.",
             "keras.optimizers.schedules.", "keras.optimizers.", "keras.callbacks.",
             "optimizer argument ")


def _short(text: str) -> str:
    """A cell's name without module or arguments (``'optax.adam(lr, ...)'`` -> ``'adam'``)."""
    if text == "—" or text.startswith("no "):
        return "—"
    names = re.findall(r"torch\.[\w.]+|\b[A-Za-z_][\w.]*(?=\()", text)
    name = next((n for n in names if "lr_scheduler" in n), names[0] if names else text)
    for prefix in _PREFIXES:
        name = name.removeprefix(prefix)
    return name


def compact_table() -> str:
    """Names only (notebook 09); an optax name marked "(differs)" computes something else.

    >>> print("\\n".join(compact_table().splitlines()[2:4]))
    | `rules.sgd` | SGD | SGD | sgd |
    | `rules.adagrad` | Adagrad | Adagrad | adagrad (differs) |
    """
    out = []
    for what, rows in (("rule", RULE_ROWS), ("schedule", SCHEDULE_ROWS)):
        out += [f"| lrlab {what} | PyTorch | Keras | optax |", "|---|---|---|---|"]
        out += ["| " + " | ".join(_cell(c) for c in (
            f"`{row.call.text.split('(')[0]}`", _short(row.torch), _short(row.keras),
            _short(row.optax) + (" (differs)" if row.differences else ""))) + " |"
            for row in rows]
        out.append("")
    return "\n".join(out).rstrip()


def markdown_table() -> str:
    """The rule and schedule tables as Markdown, every column (``docs/rule_table.md``).

    Examples
    --------
    >>> text = markdown_table()
    >>> text.splitlines()[0], "| `rules.sgd(0.01)` |" in text
    ('### Rules', True)
    """
    return (f"### Rules\n\n{_table(RULE_ROWS, 'rule')}\n\n"
            f"`P` is a problem the curvature rules read $L$ (and $\\mu$) from: "
            f"`{PROBLEM.definition}` here.\n\n"
            f"### Schedules\n\n{_table(SCHEDULE_ROWS, 'schedule')}\n\n{LBFGS_NOTE}")


def rule_table_document() -> str:
    """The whole ``docs/rule_table.md``: a title, how it is made, and :func:`markdown_table`."""
    return ("# lrlab rules and schedules in PyTorch, Keras and optax\n\n"
            "Generated by `python -m lrlab.rules.table docs/rule_table.md` from the data in "
            "`lrlab/rules/table.py` (notebook `09_choosing_in_practice` shows its names): edit "
            "that module, not this file. The PyTorch column is each lrlab object's `.torch` text. "
            "Keras and optax defaults often differ from PyTorch's: copy the values, not just the "
            "names. Names as of Keras 3 and optax 0.2. The last column says where optax computes "
            "something else than lrlab and PyTorch, as read in optax's source.\n\n"
            + markdown_table() + "\n")


def write_rule_table(path: str | Path) -> Path:
    """Write :func:`rule_table_document` to ``path`` (UTF-8) and return the path."""
    path = Path(path)
    path.write_text(rule_table_document(), encoding="utf-8")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m lrlab.rules.table [PATH] [--check]``: write the table, or check it is current."""
    parser = argparse.ArgumentParser(prog="python -m lrlab.rules.table",
                                     description=main.__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default="docs/rule_table.md",
                        help="where to write it (default: docs/rule_table.md)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if PATH differs from the generated table")
    args = parser.parse_args(argv)
    path = Path(args.path)
    if args.check:
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != rule_table_document():
            print(f"{path} is out of date: run python -m lrlab.rules.table {path}",
                  file=sys.stderr)
            return 1
        print(f"{path} is up to date")
        return 0
    print(f"{write_rule_table(path)}: written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
