"""Passports: issuing one (build the credential and sign it) and verifying one, per unit,
against a bare Ed25519 sign and verify of the same canonical bytes as the peer; and the unit's
passport page served by ``c2m serve`` (p95), against ``/healthz`` on the same server. Appends
to docs/benchmarks.md."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bench.harness import (
    SHARED_CPU_NOTE,
    ServerProcess,
    append_section,
    free_port,
    fresh_database,
    run_entry,
    seed,
    server_env,
)
from c2m.domains.traceability.keys import KeyRing, did_web
from c2m.domains.traceability.verification import check
from c2m.engines.credentials import (
    Issuer,
    Maker,
    Material,
    Measurement,
    QualityCheck,
    UnitFacts,
    credential,
    sign,
)
from c2m.engines.credentials.linked_data import dpp_context_url

HEADING = "Passports"
INTRO = f"""\
`bench/passports.py`: per unit, issuing a passport (the UNTP credential built from the unit's
facts and signed, `eddsa-jcs-2022`) and verifying it (the issuer's key document checked, the
proof verified), each against the peer: a bare Ed25519 sign and verify of the same canonical
bytes with `cryptography`. Then the unit's passport page (`/u/<serial>`) served by `c2m serve`
on SQLite, p95 of sequential requests, against `/healthz` on the same server. Target: the page's
p95 under 50 ms.

{SHARED_CPU_NOTE}"""
TARGET_PAGE_P95_MS = 50.0
BASE = "https://c2m.example"


def facts(number: int) -> UnitFacts:
    serial = f"2612-BNCH-{number:04d}-01"
    return UnitFacts(
        passport_url=f"{BASE}/u/{serial}",
        unit_url=f"{BASE}/u/{serial}",
        serial=serial,
        product_name="Customizable refrigerator",
        model_url=f"{BASE}/configure/fridge",
        model_version=3,
        produced_on="2026-12-07",
        maker=Maker("urn:c2m:enterprise:alpha", "Alpha Works", "Main line", "DE"),
        configuration={"doors": 2, "width_cm": 65, "ice_maker": True, "panel": "steel"},
        materials=(Material("Stainless steel", 0.7, "DE", 0.3),),
        quality=(QualityCheck("door gap", True, (Measurement("gap", 3.1, 3.0, 0.5, "mm"),)),),
        energy_kwh=41.5,
        co2e_kg=15.8,
    )


def per_unit(work: Callable[[int], object], units: int) -> float:
    """Microseconds per unit."""
    started = time.perf_counter()
    for number in range(units):
        work(number)
    return (time.perf_counter() - started) / units * 1e6


def crypto_rows(units: int, rounds: int, workdir: Path) -> tuple[list[str], list[float]]:
    ring = KeyRing.open(workdir)
    did = did_web(BASE)
    method = f"{did}#{ring.current.id}"
    issuer = Issuer(did, "c2m", dpp_context_url(BASE))
    document = ring.did_document(did)
    key = Ed25519PrivateKey.from_private_bytes(ring.current.private)
    public = key.public_key()
    unsigned = [credential(facts(n), issuer, "2026-12-07T10:00:00+00:00") for n in range(units)]
    canonical = [rfc8785.dumps(u) for u in unsigned]
    signatures = [key.sign(b) for b in canonical]
    passports = [sign(u, ring.current.private, method, "2026-12-07T10:00:00Z") for u in unsigned]

    def issue(n: int) -> object:
        built = credential(facts(n), issuer, "2026-12-07T10:00:00+00:00")
        return sign(built, ring.current.private, method, "2026-12-07T10:00:00Z")

    paths: dict[str, Callable[[int], object]] = {
        "issue (build + sign)": issue,
        "peer: Ed25519 sign": lambda n: key.sign(canonical[n]),
        "verify": lambda n: check(passports[n], document),
        "peer: Ed25519 verify": lambda n: public.verify(signatures[n], canonical[n]),
    }
    timings: dict[str, list[float]] = {name: [] for name in paths}
    for _ in range(rounds):  # interleaved, so a noisy moment hits both sides
        for name, work in paths.items():
            timings[name].append(per_unit(work, units))
    medians = {name: statistics.median(values) for name, values in timings.items()}
    rows = [
        f"| {name} | {medians[name]:.1f} | {min(timings[name]):.1f} | {max(timings[name]):.1f} |"
        for name in paths
    ]
    ratios = [
        medians["issue (build + sign)"] / medians["peer: Ed25519 sign"],
        medians["verify"] / medians["peer: Ed25519 verify"],
    ]
    return rows, ratios


def page_p95(requests: int, workdir: Path) -> tuple[float, float]:
    """p95 in ms of the passport page and of /healthz, alternating, on one c2m serve."""
    from sqlalchemy import select

    from c2m.demo.factory import demo_factory
    from c2m.domains.factory.service import register_plant
    from c2m.domains.orders import placement
    from c2m.domains.orders.models import OrderLine
    from c2m.domains.orders.schemas import NewLine, NewOrder
    from c2m.domains.planning.work_orders import open_work_order
    from c2m.domains.platform.actor import Actor
    from c2m.domains.platform.models import User
    from c2m.domains.traceability.serials import make_units
    from c2m.kernel.clock import utcnow
    from c2m.kernel.db import Database

    with fresh_database("sqlite", workdir) as url:
        seeded = seed(url, customers=1)
        db = Database(url)
        with db.write() as session:
            customer = session.get(User, seeded.customers[0][0])
            assert customer is not None
            data = NewOrder(lines=[NewLine(product_id=seeded.product_id, quantity=1)])
            prepared = placement.prepare_order(session, Actor.of(customer), data)
            placement.insert_prepared(session, prepared)
            factory = register_plant(session, seeded.enterprise_id, demo_factory())
            line = session.scalars(select(OrderLine)).one()
            work = open_work_order(session, [line], factory.id, steps=[])
            serial = make_units(session, work.id, utcnow())[0].serial
        db.dispose()
        server = ServerProcess(server_env(url, workdir), free_port(), workdir / "serve.log")
        server.start()
        try:
            page: list[float] = []
            health: list[float] = []
            with httpx.Client(base_url=server.url, timeout=10) as http:
                for _ in range(20):  # warm up
                    http.get(f"/u/{serial}")
                for _ in range(requests):
                    for path, into in ((f"/u/{serial}", page), ("/healthz", health)):
                        started = time.perf_counter()
                        answer = http.get(path, headers={"Accept": "text/html"})
                        into.append((time.perf_counter() - started) * 1000)
                        assert answer.status_code == 200, answer.text
        finally:
            server.stop()
    return statistics.quantiles(page, n=20)[18], statistics.quantiles(health, n=20)[18]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--record", action="store_true", help="append to docs/benchmarks.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rows, (issue_ratio, verify_ratio) = crypto_rows(args.units, args.rounds, Path(tmp))
    with tempfile.TemporaryDirectory() as tmp:
        p95, health_p95 = page_p95(args.requests, Path(tmp))
    rows.append(f"| passport page p95 (ms) | {p95:.1f} | | |")
    rows.append(f"| peer: /healthz p95 (ms) | {health_p95:.1f} | | |")
    met = "meets" if p95 < TARGET_PAGE_P95_MS else "MISSES"
    summary = (
        f"issuing costs **{issue_ratio:.1f}x** a bare Ed25519 signature of the same bytes and "
        f"verifying **{verify_ratio:.1f}x** a bare verification; the passport page's p95 is "
        f"**{p95:.1f} ms** ({p95 / health_p95:.1f}x /healthz): {met} the target of "
        f"{TARGET_PAGE_P95_MS:.0f} ms."
    )
    entry = run_entry(
        f"{args.units} units, {args.rounds} rounds, {args.requests} page requests",
        ["path", "µs per unit (median)", "min", "max"],
        rows,
        summary,
        note=f" (load average {os.getloadavg()[0]:.1f} at the end)",
    )
    print(entry)
    if args.record:
        append_section(HEADING, INTRO, entry)


if __name__ == "__main__":
    main()
