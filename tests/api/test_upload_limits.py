"""Upload limits hold while the bytes stream in: the server answers 413 before it has read a
refused request whole, keeps none of its files, and stays healthy."""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest

from c2m.bootstrap import Platform
from tests.api.quoting_support import box_stl, open_shop
from tests.conftest import LiveServer, World

BOUNDARY = "c2mtestboundary"
MB = 1024 * 1024


def part_header(filename: str) -> bytes:
    return (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; '
        f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
    ).encode()


def start_request(server: LiveServer, world: World, declared: int) -> socket.socket:
    """An upload request whose headers promise ``declared`` bytes of body."""
    host, port = server.url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=10)
    head = (
        f"POST /api/v1/uploads?enterprise_id={world.enterprise_a.id} HTTP/1.1\r\n"
        f"Host: {host}\r\nAuthorization: Bearer {world.alice.token}\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        f"Content-Length: {declared}\r\n\r\n"
    )
    sock.sendall(head.encode())
    return sock


def answer_of(sock: socket.socket) -> tuple[int, dict[str, object]]:
    """The response, read while the rest of the promised body is still unsent."""
    received = b""
    while b"\r\n\r\n" not in received or not received.rstrip().endswith(b"}"):
        chunk = sock.recv(65536)
        if not chunk:
            break
        received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    status = int(head.split()[1])
    return status, json.loads(body[body.index(b"{") :])


def stored_files(platform: Platform) -> list[Path]:
    root = platform.uploads.root
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.fixture
def shop(live_server: LiveServer, world: World) -> World:
    open_shop(live_server.platform, world.enterprise_a)
    return world


def test_a_sixth_file_is_refused_when_its_headers_arrive(
    live_server: LiveServer, shop: World
) -> None:
    cube = box_stl((10, 10, 10))
    sock = start_request(live_server, shop, declared=40 * MB)
    with sock:
        for index in range(6):
            sock.sendall(part_header(f"part{index}.stl") + cube + b"\r\n")
        status, problem = answer_of(sock)
    assert status == 413
    assert "at most 5 files" in str(problem["detail"])
    assert stored_files(live_server.platform) == []
    assert httpx.get(live_server.url + "/healthz").status_code == 200


def test_an_oversized_file_is_refused_at_the_byte_that_crosses_the_limit(
    live_server: LiveServer, shop: World
) -> None:
    sock = start_request(live_server, shop, declared=30 * MB)
    with sock:
        sock.sendall(part_header("huge.stl"))
        for _ in range(10):
            sock.sendall(b"\0" * MB)
        sock.sendall(b"\0" * 4096)  # 10 MB + 4 KB, of the 30 MB announced
        status, problem = answer_of(sock)
    assert status == 413
    assert "huge.stl is larger than 10 MB" in str(problem["detail"])
    assert stored_files(live_server.platform) == []


def test_a_body_announced_too_large_is_refused_before_any_of_it_is_read(
    live_server: LiveServer, shop: World
) -> None:
    sock = start_request(live_server, shop, declared=500 * MB)
    with sock:
        status, problem = answer_of(sock)
    assert status == 413
    assert problem["status"] == 413


def test_files_within_the_limits_are_all_taken(live_server: LiveServer, shop: World) -> None:
    files = [("files", (f"p{i}.stl", box_stl((10 + i, 10, 10)), "model/stl")) for i in range(5)]
    response = httpx.post(
        live_server.url + "/api/v1/uploads",
        params={"enterprise_id": shop.enterprise_a.id},
        files=files,
        headers=shop.alice.headers,
        timeout=60,
    )
    assert response.status_code == 201, response.text
    assert [part["analysis"]["size"][0] for part in response.json()] == pytest.approx(
        [10, 11, 12, 13, 14]
    )
    assert len([p for p in stored_files(live_server.platform) if p.suffix == ".part"]) == 5


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_body_that_trickles_in_is_cut_off_while_others_are_served(
    live_server: LiveServer, world: World
) -> None:
    open_shop(live_server.platform, world.enterprise_a)
    began = time.monotonic()  # before the request starts: the server's clock starts with it
    sock = start_request(live_server, world, declared=5000)
    stop = threading.Event()

    def trickle() -> None:  # one byte a second, for as long as the server listens
        for byte in part_header("slow.stl"):
            if stop.wait(1.0):
                return
            try:
                sock.sendall(bytes([byte]))
            except OSError:
                return

    sender = threading.Thread(target=trickle, daemon=True)
    sender.start()
    try:
        served = time.monotonic()
        assert httpx.get(live_server.url + "/healthz", timeout=5).status_code == 200
        assert time.monotonic() - served < 2, "the others must not wait for the slow one"
        sock.settimeout(30)
        status, problem = answer_of(sock)
    finally:
        stop.set()
        sock.close()
    elapsed = time.monotonic() - began
    assert status == 408
    assert "too slowly" in str(problem["detail"])
    settings = live_server.platform.settings
    assert settings.body_grace_seconds <= elapsed < settings.body_grace_seconds + 5
    assert stored_files(live_server.platform) == []
