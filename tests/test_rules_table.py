"""lrlab.rules.table: the lrlab -> PyTorch / Keras / optax table and docs/rule_table.md."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lrlab import rules, schedules, surfaces
from lrlab.rules import table
from lrlab.rules.table import (
    PROBLEM,
    RULE_ROWS,
    SCHEDULE_ROWS,
    Call,
    Counterpart,
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
                "lr_value", "per_coord", "run_shape", "effective_lr", "scale_by_plateau_lr"}


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
    assert "| `rules.parabola()` | no torch counterpart | — | — |  |" in text


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
    row = Counterpart(Call(rules.sgd, (0.1,)), "a | b", "line\nbreak", "x")
    line = table._table([row], "rule").splitlines()[-1]
    assert "a \\| b" in line and "line break" in line
    assert line.count(" | ") == 4   # five cells, four separators between them


def test_every_row_of_the_table_has_five_cells():
    for line in markdown_table().splitlines():
        if line.startswith("| `"):
            cells = line.replace("\\|", "").strip("|").split("|")
            assert len(cells) == 5, line


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
