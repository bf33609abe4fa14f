import asyncio
import itertools
import json
import sys
import time

import aiomqtt

host, port, factory, machine = sys.argv[1:5]  # python printer_client.py HOST PORT FACTORY MACHINE
base = f"c2m/v1/{factory}/{machine}"  # the contract: docs/machines.md
seen: set[str] = set()  # attempt ids run at most once, even when a command comes twice
jobs: asyncio.Queue[dict] = asyncio.Queue()  # one print at a time, in the order accepted


async def say(client: aiomqtt.Client, kind: str, **body: object) -> None:
    await client.publish(f"{base}/{kind}", json.dumps({**body, "ts": time.time_ns() // 10**6}), qos=1)


async def printer(client: aiomqtt.Client) -> None:
    while True:
        cmd = await jobs.get()
        job, attempt = f"job/{cmd['operation_id']}", cmd["attempt_id"]
        if cmd.get("lease_expires", float("inf")) < time.time() * 1000:  # given to another machine
            await say(client, f"{job}/failed", attempt_id=attempt, reason="lease expired")
            continue
        await say(client, f"{job}/started", attempt_id=attempt, setup_s=0, expected_s=cmd["nominal_s"])
        await say(client, "state", state="running", operation=cmd["operation_id"])
        await asyncio.sleep(cmd["nominal_s"])  # printing: report job/<op>/progress meanwhile
        await say(client, f"{job}/done", attempt_id=attempt, outcome="pass")
        await say(client, "state", state="idle", reason="job done")


async def telemetry(client: aiomqtt.Client) -> None:
    for seq in itertools.count():  # every second, seq wrapping at 256
        await say(client, "telemetry", seq=seq % 256, values={"nozzle_c": 210.0, "bed_c": 60.0})
        await asyncio.sleep(1)


async def main() -> None:  # if the broker goes away this ends: run it under a supervisor
    bd_seq = time.time_ns() // 1_000_000  # a new session per start, so an old will is ignored
    will = aiomqtt.Will(f"{base}/death", json.dumps({"bdSeq": bd_seq}), qos=1)
    async with aiomqtt.Client(host, int(port), will=will, keepalive=5) as client:
        await say(client, "birth", bdSeq=bd_seq, capabilities=["fdm-print"], aborted=[])
        await client.subscribe(f"{base}/cmd", qos=1)
        async with asyncio.TaskGroup() as group:
            group.create_task(printer(client))
            group.create_task(telemetry(client))
            async for message in client.messages:
                cmd = json.loads(message.payload)
                attempt, job = cmd["attempt_id"], f"job/{cmd['operation_id']}"
                await say(client, f"{job}/accepted", attempt_id=attempt, duplicate=attempt in seen)
                if attempt not in seen:
                    seen.add(attempt)
                    jobs.put_nowait(cmd)


asyncio.run(main())
