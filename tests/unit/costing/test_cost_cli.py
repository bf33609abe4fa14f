"""`c2m quote`: table and JSON output, per-file reasons, exit code 2 for unreadable files."""

from __future__ import annotations

import json
from pathlib import Path

import trimesh
import typer
from typer.testing import CliRunner

from c2m.cli.quote import register

app = typer.Typer()
register(app)


@app.callback()
def root() -> None:
    """Stand-in for the c2m app, so `quote` stays a sub-command."""


def test_quote_json_with_a_reason_per_file(tmp_path: Path) -> None:
    part = tmp_path / "cube.stl"
    trimesh.creation.box(extents=(20, 20, 20)).export(part)
    junk = tmp_path / "photo.stl"
    junk.write_bytes(b"\x89PNG\r\n\x1a\nxxxx")
    result = CliRunner().invoke(app, ["quote", str(part), str(junk), "--qty", "10", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document[0]["quote"]["quantity"] == 10
    assert (
        document[0]["analysis"]["volume"] == 8000.0
        or abs(document[0]["analysis"]["volume"] - 8000) < 1e-6
    )
    assert document[1]["error"] == "not_a_model"
    assert "PNG" in document[1]["reason"]


def test_unreadable_file_exits_2_without_traceback(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["quote", str(tmp_path / "missing.stl")])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_wrong_material_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["quote", str(tmp_path / "x.stl"), "--material", "POM"])
    assert result.exit_code == 2
