"""Meshes to G-code on the maker's side, with the maker's own slicer and printer profile.

The platform sends a quoted part as the customer's mesh; only the maker knows their nozzle,
filament and bed, so the agent runs their PrusaSlicer on it (or a slicer with its command
line): ``--export-gcode [--load PROFILE.ini] --center X,Y --output OUT IN``. The
slicer runs as a subprocess, never through a shell, in a temporary directory that is removed
afterwards, within a time limit; a slicer that is missing, fails or overruns is a
``SlicingError`` whose sentence says why.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePath

MESHES = (".stl", ".3mf", ".obj")
"""File endings the slicer turns into G-code."""
TIMEOUT_S = 300.0
"""Longest a slice may take; a large part at fine layers takes a minute on a Raspberry Pi."""
DEFAULT_BED = (100.0, 100.0)
"""The centre of PrusaSlicer's default 200 x 200 mm bed, for a slicer run without a profile."""
ERROR_CHARS = 120
"""Of the slicer's last line, kept in the reason (the contract's reasons are short)."""
OUTPUT = "sliced.gcode"
ADVICE = "install PrusaSlicer or pass --slicer"
_LOG_PREFIX = re.compile(r"^(\[[^\]]*\]\s*)+")  # PrusaSlicer's "[time] [thread] [error]" tags


class SlicingError(Exception):
    """The mesh could not be sliced; the sentence says why, in the maker's words."""


def is_mesh(name: str) -> bool:
    return name.lower().endswith(MESHES)


def bed_centre(profile: Path | None) -> tuple[float, float]:
    """The middle of the profile's ``bed_shape`` (``0x0,250x0,250x210,0x210``), where the part
    goes; PrusaSlicer's default bed without a profile or without that line."""
    if profile is None:
        return DEFAULT_BED
    for line in profile.read_text(errors="replace").splitlines():
        key, _, value = line.partition("=")
        if key.strip() != "bed_shape":
            continue
        try:
            points = [tuple(float(c) for c in p.split("x")) for p in value.strip().split(",")]
            xs, ys = [p[0] for p in points], [p[1] for p in points]
        except (ValueError, IndexError):
            return DEFAULT_BED
        return (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    return DEFAULT_BED


def last_line(output: str) -> str:
    """The slicer's last words, without its log tags, shortened: why it failed."""
    lines = [_LOG_PREFIX.sub("", line).strip() for line in output.splitlines()]
    said = next((line for line in reversed(lines) if line), "no message")
    return said if len(said) <= ERROR_CHARS else said[: ERROR_CHARS - 1] + "…"


@dataclass(frozen=True, slots=True)
class Slicer:
    """``executable`` (a path or a name on PATH) with the maker's ``profile`` (.ini)."""

    executable: str
    profile: Path | None = None
    timeout_s: float = TIMEOUT_S

    async def slice(self, name: str, mesh: bytes) -> bytes:
        """The G-code of ``mesh``, whose file name ``name`` tells its format."""
        with tempfile.TemporaryDirectory(prefix="c2m-slice-") as scratch:
            folder = Path(scratch)
            gcode, output = folder / OUTPUT, folder / "slicer.log"
            await asyncio.to_thread((folder / name).write_bytes, mesh)
            with output.open("wb") as log:
                returncode = await self._run(folder, name, log.fileno())
            if returncode != 0:
                said = last_line(output.read_text(errors="replace"))
                raise SlicingError(f"the slicer failed (exit status {returncode}): {said}")
            if not gcode.is_file() or gcode.stat().st_size == 0:
                raise SlicingError("the slicer finished without writing G-code")
            return await asyncio.to_thread(gcode.read_bytes)

    def command(self, source: str) -> list[str]:
        """Run in the scratch folder: ``source`` and the output are names in it, so the slicer's
        messages name the part, not a temporary path (so a relative slicer or profile is made
        absolute; a bare name is looked up on PATH). A name that starts like an option is
        passed as ``./name``, so a customer's file name can never be one."""
        program = os.path.abspath(self.executable) if "/" in self.executable else self.executable
        x, y = bed_centre(self.profile)
        load = [] if self.profile is None else ["--load", str(self.profile.absolute())]
        where = ["--center", f"{x:g},{y:g}", "--output", OUTPUT]
        part = f"./{source}" if source.startswith("-") else source
        return [program, "--export-gcode", *load, *where, part]

    async def _run(self, folder: Path, source: str, log: int) -> int:
        """The slicer's exit status; killed, with anything it started, on time-out or when the
        agent stops (its own session, so its whole process group goes)."""
        try:
            process = await asyncio.create_subprocess_exec(
                *self.command(source),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                cwd=folder,
                start_new_session=True,
            )
        except OSError as exc:  # named, not its path: a reason is short, and the advice counts
            program = PurePath(self.executable).name
            raise SlicingError(
                f"the slicer {program!r} cannot be started ({exc.strerror or exc}): {ADVICE}"
            ) from None
        try:
            async with asyncio.timeout(self.timeout_s):
                return await process.wait()
        except TimeoutError:
            raise SlicingError(f"the slicer took longer than {self.timeout_s:g} s") from None
        finally:
            if process.returncode is None:
                os.killpg(process.pid, signal.SIGKILL)
                await process.wait()
