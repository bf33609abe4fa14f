"""``c2m aggregate``: models and coverage for a CSV of demands, bad rows by line number with
exit code 2 (never a traceback), JSON a page can use, and the pictures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rich.progress import Progress, TaskID
from typer.testing import CliRunner

from c2m.cli.main import app
from c2m.demo.templates import SHIRT
from c2m.domains.catalog.schemas import TemplateDefinition

runner = CliRunner()
HEADER = "id,weight,chest,waist,sleeve,neck,fit\n"
GOOD = [
    "a,2,1000,880,640,400,slim",
    "b,1,1005,885,645,400,slim",
    "c,1,1200,1090,690,440,relaxed",
    "d,1,1210,1100,690,445,relaxed",
]


def demands_file(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "demands.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n")
    return path


def test_aggregate_prints_the_models_and_the_coverage(tmp_path: Path) -> None:
    path = demands_file(tmp_path, GOOD)
    result = runner.invoke(app, ["aggregate", str(path), "--template", "shirt", "--k", "2"])
    assert result.exit_code == 0, result.output
    assert "2 models for 4 demands" in result.output
    assert "Within tolerance of their model: 100.0% of the demand" in result.output


def test_bad_rows_are_reported_by_line_and_stop_the_run(tmp_path: Path) -> None:
    path = demands_file(tmp_path, [*GOOD[:2], "x,1,1000,880,640,400,tight", "y,1,abc,,,,"])
    result = runner.invoke(app, ["aggregate", str(path), "--template", "shirt"])
    assert result.exit_code == 2
    assert "line 4: fit must be one of regular, slim, relaxed, not 'tight'" in result.output
    assert "line 5: chest must be a number, not 'abc'" in result.output
    assert "Traceback" not in result.output
    skipped = runner.invoke(
        app, ["aggregate", str(path), "--template", "shirt", "--skip-bad-rows", "--json"]
    )
    assert skipped.exit_code == 0, skipped.output
    document = json.loads(skipped.stdout)
    assert [b["line"] for b in document["bad_rows"]] == [4, 5]
    assert document["demands"] == 2


def test_json_reports_every_demand_and_a_coverage_that_adds_up(tmp_path: Path) -> None:
    path = demands_file(tmp_path, GOOD)
    args = ["aggregate", str(path), "--template", "shirt", "--coverage", "0.9", "--json"]
    result = runner.invoke(app, [*args, "--tolerance", "chest=5", "--weight", "neck=0"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["target_met"] is True
    assigned = document["assignments"]
    assert [a["line"] for a in assigned] == [2, 3, 4, 5]
    weights = [2, 1, 1, 1]
    within = sum(w for w, a in zip(weights, assigned, strict=True) if a["within_tolerance"])
    assert document["coverage"] == pytest.approx(within / sum(weights))
    assert "neck" not in {o["name"] for o in document["options"]}


def test_the_plot_holds_the_curve_and_the_map(tmp_path: Path) -> None:
    path = demands_file(tmp_path, GOOD)
    plot = tmp_path / "out.html"
    result = runner.invoke(
        app, ["aggregate", str(path), "--template", "shirt", "--plot", str(plot)]
    )
    assert result.exit_code == 0, result.output
    html = plot.read_text()
    assert "Coverage against the number of models" in html
    assert "Demands by model" in html


def test_a_template_definition_file_can_be_used(tmp_path: Path) -> None:
    definition = tmp_path / "shirt.json"
    definition.write_text(TemplateDefinition.of(SHIRT).model_dump_json())
    path = demands_file(tmp_path, GOOD)
    result = runner.invoke(app, ["aggregate", str(path), "--template", str(definition)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["--template", "sofa"], "neither a demo template"),
        (["--template", "shirt", "--k", "two"], "--k takes a number"),
        (["--template", "shirt", "--k", "2", "--coverage", "0.5"], "with --k auto only"),
        (["--template", "shirt", "--tolerance", "chest"], "OPTION=VALUE"),
        (["--template", "shirt", "--tolerance", "cuff=3"], "'cuff' is not an option"),
        (["--template", "shirt", "--k", "9"], "between 1 and 4"),
    ],
)
def test_mistakes_get_a_sentence_and_exit_code_2(
    tmp_path: Path, extra: list[str], words: str
) -> None:
    path = demands_file(tmp_path, GOOD)
    result = runner.invoke(app, ["aggregate", str(path), *extra])
    assert result.exit_code == 2
    assert words in result.output
    assert "Traceback" not in result.output


def test_large_inputs_run_with_a_progress_bar(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []

    class Recording(Progress):
        def update(self, task: TaskID, **fields: Any) -> None:
            shown.append(str(fields.get("description")))
            super().update(task, **fields)

    monkeypatch.setattr("c2m.cli.aggregate.Progress", Recording)
    rows = [
        f"p{i},1,{900 + (i * 37) % 400},{800 + (i * 53) % 250},640,{400 + (i % 5) * 5},regular"
        for i in range(5_000)
    ]
    path = demands_file(tmp_path, rows)
    result = runner.invoke(app, ["aggregate", str(path), "--template", "shirt", "--k", "3"])
    assert result.exit_code == 0, result.output
    assert "3 models for 5000 demands" in result.output
    assert "clustering into 3 models" in shown
