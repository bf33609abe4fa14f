import json
import sys
import threading
import time

import paho.mqtt.client as mqtt

host, port, factory, machine = sys.argv[1:5]  # python printer_client.py HOST PORT FACTORY MACHINE
base = f"c2m/v1/{factory}/{machine}"  # the contract: docs/machines.md
bd_seq = time.time_ns() // 1_000_000  # grows with every start, so an old will is recognised
seen, printing = set(), threading.Lock()  # attempt ids run at most once; one print at a time
client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)


def say(kind: str, **body: object) -> None:
    client.publish(f"{base}/{kind}", json.dumps({**body, "ts": int(time.time() * 1000)}), qos=1)


def run(cmd: dict, job: str, attempt: str) -> None:
    with printing:
        if cmd.get("lease_expires", float("inf")) < time.time() * 1000:  # given to another machine
            return say(f"{job}/failed", attempt_id=attempt, reason="lease expired")
        say(f"{job}/started", attempt_id=attempt, setup_s=0, expected_s=cmd["nominal_s"])
        say("state", state="running", operation=cmd["operation_id"])
        time.sleep(cmd["nominal_s"])  # printing: report job/<op>/progress with percent meanwhile
        say(f"{job}/done", attempt_id=attempt, outcome="pass")
        return say("state", state="idle", reason="job done")


def on_connect(client, userdata, flags, reason, properties) -> None:  # also after reconnecting
    say("birth", bdSeq=bd_seq, capabilities=["fdm-print"], aborted=[])
    client.subscribe(f"{base}/cmd", qos=1)


def on_message(client, userdata, message) -> None:
    cmd = json.loads(message.payload)
    job, attempt = f"job/{cmd['operation_id']}", cmd["attempt_id"]
    say(f"{job}/accepted", attempt_id=attempt, duplicate=attempt in seen)
    if attempt not in seen:
        seen.add(attempt)
        threading.Thread(target=run, args=(cmd, job, attempt), daemon=True).start()


client.will_set(f"{base}/death", json.dumps({"bdSeq": bd_seq}), qos=1)  # the broker says it
client.on_connect, client.on_message = on_connect, on_message
client.connect(host, int(port), keepalive=5)
client.loop_start()
for seq in range(sys.maxsize):  # forever: telemetry every second, seq wrapping at 256
    say("telemetry", seq=seq % 256, values={"nozzle_c": 210.0, "bed_c": 60.0})
    time.sleep(1)
