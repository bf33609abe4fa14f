"""A c2m machine in one file (docs/machines.md): python printer_client.py BROKER_URL FACTORY MACHINE SECRET"""

import asyncio
import base64
import hashlib
import itertools
import json
import logging
import os
import sys
import time
import urllib.request
from urllib.parse import urlsplit

import aiomqtt

url, factory, machine, secret = sys.argv[1:5]  # e.g. mqtt://127.0.0.1:1883 home prusa-1 s3cr3t
user, base = f"{factory}/{machine}", f"c2m/v1/{factory}/{machine}"  # login and topics
speed = float(os.environ.get("PRINTER_SPEED", "1"))  # how much faster than nominal it prints
platform = os.environ.get("PLATFORM_URL", "http")  # our login goes to links under this URL only
log = logging.getLogger(user)
seen: set[str] = set()  # attempt ids run at most once, even when a command comes twice
jobs: asyncio.Queue[dict] = asyncio.Queue()  # one print at a time, in the order accepted
said: dict[str, tuple[str, str]] = {}  # what to say again when the platform asks (a rebirth)
FIELDS = (("operation_id", str), ("attempt_id", str), ("nominal_s", (int, float)))
ARTIFACT = (("url", str), ("sha256", str), ("size", int))  # the job document's file


class Refused(Exception):
    """A command or file this machine will not use; the message says why."""


def checked(payload: bytes) -> dict:
    """The command, or Refused: anyone who may publish on the topic can send anything."""
    try:
        cmd = json.loads(payload)
        artifact = (cmd.get("job") or {}).get("artifact") or {}
        wrong = [key for key, kind in FIELDS if not isinstance(cmd.get(key), kind)]
        wrong += [f"artifact {k}" for k, kind in ARTIFACT if artifact and not isinstance(artifact.get(k), kind)]
    except (ValueError, AttributeError) as exc:  # not JSON, or not objects where the contract has them
        raise Refused(f"malformed command: {exc}") from None
    if wrong:
        raise Refused(f"malformed command: no valid {', '.join(wrong)}")
    return cmd


def fetch(artifact: dict) -> bytes:
    """The job's file, with this machine's login; refused unless size and sha256 match."""
    if not artifact["url"].startswith(platform):  # a forged command could ask for our secret
        raise Refused(f"artifact link is not under {platform}")
    login = base64.b64encode(f"{user}:{secret}".encode()).decode()
    request = urllib.request.Request(artifact["url"], headers={"Authorization": f"Basic {login}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            data = response.read(artifact["size"] + 1)
    except OSError as exc:  # HTTP errors too: 403 another machine's job, 410 link expired
        raise Refused(f"artifact download failed: {exc}") from None
    if len(data) != artifact["size"]:
        raise Refused("artifact size mismatch")
    if hashlib.sha256(data).hexdigest() != artifact["sha256"]:
        raise Refused("artifact hash mismatch")
    return data


async def say(client: aiomqtt.Client, kind: str, **body: object) -> None:
    message = f"{base}/{kind}", json.dumps({**body, "ts": time.time_ns() // 10**6})
    await client.publish(*message, qos=1)
    said[str(body.get("attempt_id", kind))] = message  # the latest birth, state, report of each job


async def printer(client: aiomqtt.Client) -> None:
    while True:
        cmd = await jobs.get()
        job, attempt = f"job/{cmd['operation_id']}", cmd["attempt_id"]
        try:
            if (cmd.get("lease_expires") or float("inf")) < time.time() * 1000:
                raise Refused("lease expired")  # given to another machine meanwhile
            artifact = (cmd.get("job") or {}).get("artifact")
            data = await asyncio.to_thread(fetch, artifact) if artifact else b""
        except Refused as exc:
            log.warning("attempt %s failed: %s", attempt, exc)
            await say(client, f"{job}/failed", attempt_id=attempt, reason=str(exc))
            continue
        log.info("attempt %s: %s", attempt, f"{len(data)} bytes, sha256 checked" if data else "no file")
        await say(client, f"{job}/started", attempt_id=attempt, setup_s=0, expected_s=cmd["nominal_s"])
        await say(client, "state", state="running", operation=cmd["operation_id"])
        await asyncio.sleep(cmd["nominal_s"] / speed)  # printing: report job/<op>/progress meanwhile
        await say(client, f"{job}/done", attempt_id=attempt, outcome="pass")
        log.info("attempt %s done", attempt)
        await say(client, "state", state="idle", reason="job done")


async def telemetry(client: aiomqtt.Client) -> None:
    for seq in itertools.count():  # every second, seq wrapping at 256
        await say(client, "telemetry", seq=seq % 256, values={"nozzle_c": 210.0, "bed_c": 60.0})
        await asyncio.sleep(1)


async def main() -> None:  # if the broker goes away this ends: run it under a supervisor
    bd_seq = time.time_ns() // 1_000_000  # a new session per start, so an old will is ignored
    will = aiomqtt.Will(f"{base}/death", json.dumps({"bdSeq": bd_seq}), qos=1)
    broker, login = urlsplit(url), {"username": user, "password": secret}  # it also fetches files
    async with aiomqtt.Client(broker.hostname, broker.port or 1883, will=will, keepalive=5, **login) as client:
        await say(client, "birth", bdSeq=bd_seq, capabilities=["fdm-print"], aborted=[])
        await client.subscribe(f"{base}/cmd", qos=1)
        async with asyncio.TaskGroup() as group:
            group.create_task(printer(client))
            group.create_task(telemetry(client))
            async for message in client.messages:
                if message.payload == b'{"rebirth":true}':  # it missed what we said: again, in order
                    await asyncio.gather(*(client.publish(t, p, qos=1) for t, p in list(said.values())))
                    continue
                try:
                    cmd = checked(message.payload)
                except Refused as exc:
                    log.warning("dropped a command: %s", exc)
                    continue
                attempt, job = cmd["attempt_id"], f"job/{cmd['operation_id']}"
                await say(client, f"{job}/accepted", attempt_id=attempt, duplicate=attempt in seen)
                if attempt not in seen:
                    seen.add(attempt)
                    jobs.put_nowait(cmd)


logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
asyncio.run(main())
