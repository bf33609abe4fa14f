"""Issue 6, acceptance 2: broken and hostile files through the real upload endpoint. Each gets a
4xx problem or a verdict within 10 s, never a 500, and the web process answers throughout."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.api.quoting_support import BENCH_MODELS, box_stl, open_shop
from tests.conftest import LiveServer, World
from tests.hostile_parts import HOSTILE

BROKEN = BENCH_MODELS.parent / "broken"
DEADLINE_S = 10.0


def cases() -> dict[str, tuple[str, bytes]]:
    """Name of the case: (file name the sender gives, bytes)."""
    found = {f"hostile {name}": (f"{name}.stl", data) for name, (data, _) in HOSTILE.items()}
    found["png renamed .stl"] = ("photo.stl", HOSTILE["png"][0])
    found["double extension"] = ("part.stl.php", box_stl((10, 10, 10)))
    found["path in the name"] = ("../../x.stl", box_stl((10, 10, 10)))
    found["control characters in the name"] = ("a\x1b[31mb.stl", box_stl((10, 10, 10)))
    if BROKEN.is_dir():
        found.update(
            {f"broken {p.name}": (p.name, p.read_bytes()) for p in sorted(BROKEN.iterdir())}
        )
    return found


class HealthWatch:
    """Asks /healthz four times a second on its own connection; notes every bad answer, and
    every one that takes 10 s: a server whose loop waited for the analyses would take longer,
    while a loaded test machine (three test processes on two cores) may take a few seconds."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.problems: list[str] = []
        self.checks = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with httpx.Client(timeout=10.0) as client:
            while not self.stop.wait(0.25):
                try:
                    status = client.get(self.url + "/healthz").status_code
                except httpx.HTTPError as exc:
                    self.problems.append(repr(exc))
                    continue
                self.checks += 1
                if status != 200:
                    self.problems.append(f"healthz answered {status}")


@pytest.fixture
def health(live_server: LiveServer) -> Iterator[HealthWatch]:
    watch = HealthWatch(live_server.url)
    watch.thread.start()
    yield watch
    watch.stop.set()
    watch.thread.join()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_hostile_uploads_get_a_reason_and_the_server_stays_healthy(
    live_server: LiveServer, world: World, health: HealthWatch
) -> None:
    open_shop(live_server.platform, world.enterprise_a)
    verdicts: dict[str, str] = {}
    with httpx.Client(base_url=live_server.url, headers=world.alice.headers) as client:
        for case, (filename, data) in cases().items():
            started = time.monotonic()
            response = client.post(
                "/api/v1/uploads",
                params={"enterprise_id": world.enterprise_a.id},
                files=[("files", (filename, data, "application/octet-stream"))],
                timeout=30,
            )
            seconds = time.monotonic() - started
            assert seconds < DEADLINE_S, f"{case}: {seconds:.1f} s"
            assert response.status_code < 500, f"{case}: {response.text}"
            if response.status_code >= 400:
                assert response.headers["content-type"] == "application/problem+json", case
                verdicts[case] = response.json()["detail"]
                continue
            (part,) = response.json()
            assert "/" not in part["filename"], case
            assert part["filename"].isprintable(), case
            verdicts[case] = part["refusal"] or f"analysed: volume {part['analysis']['volume']}"
            if part["status"] == "refused":
                assert part["refusal"], case
    for name, (_, code) in HOSTILE.items():
        assert not verdicts[f"hostile {name}"].startswith("analysed"), (name, code)
    assert verdicts["path in the name"].startswith("analysed")
    assert health.checks > 0
    assert health.problems == []
    stored = [p.name for p in live_server.platform.uploads.root.rglob("*") if p.is_file()]
    assert all(re.fullmatch(r"[0-9a-f]{32}\.(part|png)", name) for name in stored), stored


def test_the_sandbox_survives_a_burst_of_uploads(
    live_server: LiveServer, world: World, health: HealthWatch
) -> None:
    """Ten concurrent uploads share the analysis slots; each gets its own answer."""
    open_shop(live_server.platform, world.enterprise_a)
    results: list[int] = []

    def send(index: int) -> None:
        response = httpx.post(
            live_server.url + "/api/v1/uploads",
            params={"enterprise_id": world.enterprise_a.id},
            files=[("files", (f"p{index}.stl", box_stl((10 + index, 5, 5)), "model/stl"))],
            headers=world.alice.headers,
            timeout=60,
        )
        results.append(response.status_code)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [201] * 10
    assert health.problems == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_four_sound_cubes_uploaded_at_once_are_all_analysed(
    live_server: LiveServer, world: World
) -> None:
    """Within the default time limit and two slots, however busy: none is refused for time."""
    open_shop(live_server.platform, world.enterprise_a)
    cube = box_stl((20, 20, 20))
    parts: list[dict[str, Any]] = []

    def send(index: int) -> None:
        response = httpx.post(
            live_server.url + "/api/v1/uploads",
            params={"enterprise_id": world.enterprise_a.id},
            files=[("files", (f"cube{index}.stl", cube, "model/stl"))],
            headers=world.alice.headers,
            timeout=60,
        )
        assert response.status_code == 201, response.text
        parts.extend(response.json())

    threads = [threading.Thread(target=send, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [(p["status"], p["refusal"]) for p in parts] == [("analysed", None)] * 4
    assert [p["analysis"]["volume"] for p in parts] == [pytest.approx(8000.0)] * 4
