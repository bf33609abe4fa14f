"""Interactive Gantt chart: one row per machine, one colour per job, unavailability in grey."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from c2m.engines.scheduling.model import Instance, Schedule

if TYPE_CHECKING:
    import plotly.graph_objects as go

PALETTE = [
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
]


def gantt_figure(instance: Instance, schedule: Schedule, title: str = "") -> go.Figure:
    # Imported here, the only user: the CLI names ``write_gantt`` at start and needs it rarely.
    import plotly.graph_objects as go

    figure = go.Figure()
    by_job: dict[int, list[int]] = {}
    for a in schedule.assignments:
        by_job.setdefault(instance.operations[a.op].job, []).append(a.op)
    for job, ops in sorted(by_job.items()):
        name = instance.jobs[job].name or f"job {job}"
        assigned = [schedule[i] for i in ops]
        figure.add_trace(
            go.Bar(
                name=name,
                orientation="h",
                base=[a.start for a in assigned],
                x=[a.end - a.start for a in assigned],
                y=[instance.machines[a.machine] for a in assigned],
                marker_color=PALETTE[job % len(PALETTE)],
                customdata=[[i, a.start, a.end] for i, a in zip(ops, assigned, strict=True)],
                hovertemplate=f"{name}, operation %{{customdata[0]}}: "
                "%{customdata[1]} to %{customdata[2]}<extra></extra>",
                showlegend=len(by_job) <= 30,
            )
        )
    if instance.windows:
        figure.add_trace(
            go.Bar(
                name="unavailable",
                orientation="h",
                base=[w.start for w in instance.windows],
                x=[w.end - w.start for w in instance.windows],
                y=[instance.machines[w.machine] for w in instance.windows],
                marker_color="rgba(80,80,80,0.35)",
                customdata=[[w.start, w.end] for w in instance.windows],
                hovertemplate="unavailable %{customdata[0]} to %{customdata[1]}<extra></extra>",
            )
        )
    figure.update_layout(
        title=title or f"{instance.name}: makespan {schedule.makespan}",
        barmode="overlay",
        xaxis_title="time",
        yaxis={"categoryorder": "array", "categoryarray": list(reversed(instance.machines))},
        height=max(300, 28 * len(instance.machines) + 120),
    )
    return figure


def write_gantt(instance: Instance, schedule: Schedule, path: Path, title: str = "") -> None:
    """A self-contained HTML file (Plotly's JavaScript inside) that works offline."""
    gantt_figure(instance, schedule, title).write_html(path, include_plotlyjs=True)
