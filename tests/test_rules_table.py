"""lrlab.rules.table: the lrlab -> PyTorch / Keras / optax table and docs/rule_table.md."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lrlab import rules, schedules, surfaces
from lrlab.rules import table
from lrlab.rules.table import (
    PROBLEM,
    RULE_ROWS,
    SCHEDULE_ROWS,
    Call,
    Counterpart,
    compact_table,
    main,
    markdown_table,
    rule_table_document,
    write_rule_table,
)

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "rule_table.md"
ROWS = RULE_ROWS + SCHEDULE_ROWS
#: Public lower-case names of lrlab.rules that build no step-size rule of their own.
RULE_HELPERS = {"chain", "trace", "scale_by_lr", "add_decayed_weights", "as_schedule",
                "lr_value", "per_coord", "run_shape", "effective_lr", "scale_by_plateau_lr",
                "scale_by_multipliers"}


def test_docs_rule_table_is_what_the_module_generates():
    assert DOC.read_text(encoding="utf-8") == rule_table_document(), (
        "docs/rule_table.md and lrlab/rules/table.py disagree: run "
        "`python -m lrlab.rules.table docs/rule_table.md`")


def test_every_public_rule_and_schedule_factory_has_a_row():
    covered = {row.call.factory.__name__ for row in ROWS}
    factories = {n for n in rules.__all__ if n.islower() and n not in RULE_HELPERS}
    factories |= {n for n in schedules.__all__ if n.islower()}
    assert factories - covered == set(), "factories missing from the table"
    assert covered - factories == set(), "rows for names that are not factories"
    assert len(covered) == len(ROWS), "a factory has two rows"


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.call.text)
def test_each_lrlab_cell_is_code_that_rebuilds_the_object(row):
    namespace = {"rules": rules, "schedules": schedules, "P": PROBLEM.build()}
    rebuilt = eval(row.call.text, namespace)  # the text users copy is valid code
    built = row.call.build()
    assert type(rebuilt) is type(built)
    assert repr(rebuilt) == repr(built)
    assert row.torch == (getattr(built, "torch", None) or "—")
    assert row.keras and row.optax, "say '—' when there is no counterpart"


def test_the_pytorch_column_is_the_objects_own_text():
    text = markdown_table()
    assert rules.adam().torch in text
    assert schedules.cosine(0.1, 100).torch in text
    assert "| `rules.parabola()` | no torch counterpart | — | — |  |  |" in text


def test_call_renders_nested_calls_lists_keywords_and_the_problem():
    call = Call(schedules.join, ([Call(schedules.constant, (0.1,)),
                                  Call(schedules.constant, (0.01,))], [50]))
    assert call.text == ("schedules.join([schedules.constant(0.1), schedules.constant(0.01)], "
                         "[50])")
    assert float(call.build()(60)) == pytest.approx(0.01)
    assert Call(rules.ftrl_time, (0.1,), {"gamma": 0.1}).text == "rules.ftrl_time(0.1, gamma=0.1)"
    inverse = Call(rules.inverse_smoothness, (PROBLEM,))
    assert inverse.text == "rules.inverse_smoothness(P)"
    assert PROBLEM.build().smoothness == pytest.approx(10.0)
    assert "P = surfaces.quadratic([1.0, 10.0])" in markdown_table()
    assert repr(PROBLEM.build()) == repr(surfaces.quadratic([1.0, 10.0]))


def test_call_refuses_a_factory_users_cannot_import_by_that_name():
    def sgd(lr):  # behaves like rules.sgd, but users cannot write rules.sgd to get it
        return rules.sgd(lr)

    for factory, name in ((len, "len"), (sgd, "sgd")):
        with pytest.raises(ValueError, match=rf"'factory' parameter of Call must be a public "
                                             rf"factory of lrlab.rules or lrlab.schedules. "
                                             rf"Got '{name}' instead"):
            Call(factory)


def test_pipes_in_cells_are_escaped_and_rows_stay_on_one_line():
    row = Counterpart(Call(rules.sgd, (0.1,)), "a | b", "line\nbreak", "x", "y")
    line = table._table([row], "rule").splitlines()[-1]
    assert "a \\| b" in line and "line break" in line
    assert line.count(" | ") == 5   # six cells, five separators between them


def test_every_row_of_the_table_has_six_cells():
    for line in markdown_table().splitlines():
        if line.startswith("| `"):
            cells = line.replace("\\|", "").strip("|").split("|")
            assert len(cells) == 6, line


def test_write_and_check_from_the_command_line(tmp_path, capsys):
    path = tmp_path / "rule_table.md"
    assert main([str(path), "--check"]) == 1
    assert "out of date" in capsys.readouterr().err
    assert main([str(path)]) == 0
    assert path.read_text(encoding="utf-8") == rule_table_document()
    assert main([str(path), "--check"]) == 0
    path.write_text(path.read_text(encoding="utf-8").replace("optax", "Optax", 1),
                    encoding="utf-8")
    assert main([str(path), "--check"]) == 1
    assert write_rule_table(path) == path and main([str(path), "--check"]) == 0


def test_the_module_runs_as_a_script(tmp_path):
    path = tmp_path / "table.md"
    done = subprocess.run([sys.executable, "-m", "lrlab.rules.table", str(path)],
                          capture_output=True, text=True, check=True)
    assert "written" in done.stdout
    assert path.read_text(encoding="utf-8") == rule_table_document()


# ------------------------------------------------ where optax computes something else
#: The rows whose optax counterpart computes something else (read in optax's source).
OPTAX_DIFFERS = {"adagrad", "rmsprop", "adadelta", "amsgrad", "polyak", "clip_by_norm",
                 "reduce_on_plateau", "one_cycle", "warmup"}


def test_the_differences_column_names_exactly_the_rows_where_optax_computes_otherwise():
    differs = {row.call.factory.__name__ for row in ROWS if row.differences}
    assert differs == OPTAX_DIFFERS
    rows = {row.call.factory.__name__: row for row in ROWS}
    # optax.adadelta's default learning_rate=None climbs: the table gives the rate that works
    assert "learning_rate=1.0" in rows["adadelta"].optax
    assert "None" in rows["adadelta"].differences and "climb" in rows["adadelta"].differences
    for name in ("adagrad", "rmsprop"):
        assert "inside the square root" in rows[name].differences
    assert "eps_in_sqrt=False" in rows["rmsprop"].differences
    assert "1e-6" in rows["clip_by_norm"].differences
    assert "int(pT)" in rows["one_cycle"].differences
    assert "differences (what optax computes otherwise)" in markdown_table()


def _steps(rule, grads, *, losses=None):
    theta, state, out = np.zeros(np.shape(grads[0])), None, []
    state = rule.init(theta)
    for t, g in enumerate(grads):
        kw = {} if losses is None else {"loss": losses[t]}
        step, state = rule.update(np.asarray(g, dtype=float), state, theta, t=t, **kw)
        out.append(step)
    return np.array(out)


def test_lrlab_side_of_each_difference_eps_outside_the_root():
    # Adagrad and RMSprop divide by sqrt(.) + eps (the table: optax puts eps inside)
    g, eps = 0.3, 0.5   # a large eps makes the placement visible
    ada = _steps(rules.adagrad(1.0, eps=eps), [[g]])[0, 0]
    assert ada == pytest.approx(-g / (np.sqrt(g**2) + eps))
    assert ada != pytest.approx(-g / np.sqrt(g**2 + eps))
    rms = _steps(rules.rmsprop(1.0, eps=eps), [[g]])[0, 0]
    v = 0.01 * g**2
    assert rms == pytest.approx(-g / (np.sqrt(v) + eps))
    assert rms != pytest.approx(-g / np.sqrt(v + eps))


def test_lrlab_side_amsgrad_keeps_the_raw_maximum_and_corrects_it_now():
    b1, b2, lr = 0.9, 0.999, 0.1
    steps = _steps(rules.amsgrad(lr), [[1.0], [0.1]])[:, 0]
    m1 = (b1 * 0.1 * 1.0 + 0.1 * 0.1) / (1 - b1**2)
    v0, v1 = 1e-3, b2 * 1e-3 + 1e-3 * 0.01
    torch_form = -lr * m1 / (np.sqrt(max(v0, v1) / (1 - b2**2)) + 1e-8)
    optax_form = -lr * m1 / (np.sqrt(max(v0 / (1 - b2), v1 / (1 - b2**2))) + 1e-8)
    assert steps[1] == pytest.approx(torch_form, rel=1e-12)
    assert abs(steps[1] / optax_form - 1) > 0.3   # the second step differs by ~40 %


def test_lrlab_side_clip_by_norm_keeps_the_1e_6():
    step = _steps(rules.clip_by_norm(1.0), [[2.0, 0.0]])[0]
    assert np.linalg.norm(step) == pytest.approx(2.0 / (2.0 + 1e-6), rel=1e-15)
    assert np.linalg.norm(step) < 1.0   # optax's clip_by_global_norm gives exactly 1


def test_lrlab_side_polyak_clips_a_negative_gap_and_has_no_cap():
    rule = rules.polyak(0.0)
    grad = np.array([1e-3])
    step, _ = rule.update(grad, rule.init(np.zeros(1)), np.zeros(1), t=0, loss=1.0)
    assert -step[0] / grad[0] == pytest.approx(1e6)   # optax would cap the rate at 1
    step, _ = rule.update(grad, rule.init(np.zeros(1)), np.zeros(1), t=0, loss=-1.0)
    assert step[0] == 0.0                                # optax's 'sps' would step uphill


def _optax_plateau_scales(losses, patience, factor=0.1, rtol=1e-4):
    """optax.contrib.reduce_on_plateau's scale per update, transcribed from its source
    (accumulation_size=1, atol=0, cooldown=0): the scale multiplies that step's update."""
    best, count, scale, out = np.inf, 0, 1.0, []
    for value in losses:
        improved = value < (1 - rtol) * best
        best = value if improved else best
        count = 0 if improved else count + 1
        if count == patience:
            scale, count = scale * factor, 0
        out.append(scale)
    return np.array(out)


def test_lrlab_side_reduce_on_plateau_cuts_one_step_after_optax_with_patience_plus_one():
    p, flat = 3, [1.0] * 20
    lrlab_rates = -_steps(rules.reduce_on_plateau(1.0, patience=p), [[1.0]] * 20,
                          losses=flat)[:, 0]
    cuts = np.flatnonzero(np.diff(np.r_[1.0, lrlab_rates]))
    assert cuts.tolist() == [(p + 1) * k + 1 for k in (1, 2, 3, 4)]   # PyTorch's steps
    optax_cuts = np.flatnonzero(np.diff(np.r_[1.0, _optax_plateau_scales(flat, p + 1)]))
    assert (cuts - optax_cuts).tolist() == [1, 1, 1, 1]
    same = np.flatnonzero(np.diff(np.r_[1.0, _optax_plateau_scales(flat, p)]))
    assert same[0] == cuts[0] - 2   # with the same patience, optax's first cut is 2 steps early


def test_lrlab_side_one_cycle_and_warmup_boundaries():
    T, lr = 100, 0.1
    one = np.array([float(schedules.one_cycle(lr, T)(t)) for t in range(T + 1)])
    assert int(np.argmax(one)) == int(0.3 * T) - 1            # optax: int(0.3 T) = 30
    assert one[T - 1] == one[T] == pytest.approx(lr / 25 / 1e4)   # optax reaches it at T
    W = 10
    warm = schedules.warmup(schedules.cosine(lr, T), W)
    # optax.warmup_cosine_decay_schedule(lr / (W + 1), lr, W, W + T), from its source
    t = np.arange(W + T + 5)
    ramp = lr / (W + 1) + (lr - lr / (W + 1)) * t / W
    decay = lr * 0.5 * (1 + np.cos(np.pi * np.minimum(t - W, T) / T))
    np.testing.assert_allclose([float(warm(k)) for k in t], np.where(t < W, ramp, decay),
                               rtol=1e-12, atol=1e-15)


def test_optax_adadeltas_missing_minus_sign_climbs_where_lrlab_descends():
    # optax.adadelta(learning_rate=None) applies +Delta (scale_by_learning_rate(None) is the
    # identity, not a multiplication by -1); lrlab (and PyTorch, lr=1) apply -Delta
    problem = surfaces.rosenbrock()
    rule = rules.adadelta()
    ends = {}
    for sign in (+1, -1):
        theta, state = problem.x0.copy(), rule.init(problem.x0)
        for t in range(300):
            step, state = rule.update(problem.grad(theta), state, theta, t=t)
            theta = theta + sign * step
        ends[sign] = float(problem.loss(theta))
    start = float(problem.loss(problem.x0))
    assert ends[+1] < start < ends[-1]


def test_compact_table_gives_names_only_and_flags_the_optax_differences():
    text = compact_table()
    lines = [line for line in text.splitlines() if line.startswith("| `")]
    assert len(lines) == len(ROWS)
    # narrow enough for a notebook: a table is as wide as its columns' longest words
    for block in text.split("\n\n"):
        rows = [[cell.strip() for cell in line.strip("|").split(" | ")]
                for line in block.splitlines() if line.startswith("| `")]
        words = [max(len(word) for row in rows for word in row[c].split()) for c in range(4)]
        assert sum(words) <= 110, words
    for row, line in zip(ROWS, lines, strict=True):
        cells = [c.strip() for c in line.strip("|").split(" | ")]
        assert len(cells) == 4 and cells[0] == f"`{row.call.text.split('(')[0]}`"
        optax = cells[3].removesuffix(" (differs)")
        assert all("(" not in c for c in [*cells[1:3], optax]), line   # names, no arguments
        assert cells[3].endswith(" (differs)") == bool(row.differences)
    assert "| `rules.adam` | Adam | Adam | adam |" in text
    assert "| `schedules.one_cycle` | OneCycleLR | — | cosine_onecycle_schedule (differs) |" in text
    assert "| `rules.reduce_on_plateau` | ReduceLROnPlateau |" in text
    assert "| `rules.clip_by_norm` | clip_grad_norm_ | global_clipnorm=1.0 |" in text
