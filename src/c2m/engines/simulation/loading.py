"""Factories from plain data (parsed JSON or YAML), checked key by key with readable errors.

Shape::

    {"id": "demo",
     "defaults": {"mttr_s": 1800},                      # optional, merged into every machine
     "machines": [{"id": "laser-1", "capabilities": ["sheet-cut"], "speed": 1.2,
                   "setup": {"default_s": 600, "changeovers": {"plate-steel": {"shirt": 900}}},
                   "mtbf_s": 86400, "mttr_s": 2400, "noise_sigma": 0.1, "scrap_rate": 0.0,
                   "on_breakdown": "fail", "telemetry_period_s": 60, "rated_power_kw": 6}]}
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from c2m.engines.simulation.model import (
    BreakdownPolicy,
    FactorySpec,
    MachineSpec,
    SetupTimes,
    TwinError,
)

_NUMBERS = ("speed", "mttr_s", "noise_sigma", "scrap_rate", "telemetry_period_s", "rated_power_kw")
_KEYS = {"id", "name", "capabilities", "setup", "mtbf_s", "on_breakdown", *_NUMBERS}


def factory_from_dict(data: Mapping[str, Any]) -> FactorySpec:
    _only(data, {"id", "defaults", "machines"}, "factory")
    defaults = data.get("defaults", {})
    machines = data.get("machines")
    if not isinstance(defaults, Mapping):
        raise TwinError("factory 'defaults' must be a mapping")
    if not isinstance(machines, list) or not machines:
        raise TwinError("factory 'machines' must be a non-empty list")
    return FactorySpec(
        id=_text(data, "id", "factory"),
        machines=tuple(_machine({**defaults, **_mapping(m, "machine")}) for m in machines),
    )


def load_factory(path: str | Path) -> FactorySpec:
    """Read a ``.json`` or ``.yaml``/``.yml`` file (YAML needs PyYAML)."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            import yaml  # type: ignore[import-untyped]
        except ImportError:
            raise TwinError("reading YAML needs PyYAML; give the factory as JSON") from None
        data = yaml.safe_load(text)
    else:
        data = json.loads(text)
    return factory_from_dict(_mapping(data, str(path)))


def _machine(data: Mapping[str, Any]) -> MachineSpec:
    machine_id = _text(data, "id", "machine")
    where = f"machine {machine_id!r}"
    _only(data, _KEYS, where)
    capabilities = data.get("capabilities")
    if not isinstance(capabilities, list) or not all(isinstance(c, str) for c in capabilities):
        raise TwinError(f"{where}: 'capabilities' must be a list of names")
    numbers = {key: _number(data[key], key, where) for key in _NUMBERS if key in data}
    mtbf = data.get("mtbf_s")
    policy = data.get("on_breakdown", "fail")
    if policy not in ("fail", "hold"):
        raise TwinError(f"{where}: 'on_breakdown' must be 'fail' or 'hold'")
    on_breakdown: BreakdownPolicy = "fail" if policy == "fail" else "hold"
    return MachineSpec(
        id=machine_id,
        capabilities=tuple(capabilities),
        name=str(data.get("name", "")),
        setup=_setup(data.get("setup", {}), where),
        mtbf_s=None if mtbf is None else _number(mtbf, "mtbf_s", where),
        on_breakdown=on_breakdown,
        **numbers,
    )


def _setup(data: object, where: str) -> SetupTimes:
    setup = _mapping(data, f"{where} setup")
    _only(setup, {"default_s", "changeovers"}, f"{where} setup")
    changeovers: dict[tuple[str, str], float] = {}
    for before, targets in _mapping(setup.get("changeovers", {}), f"{where} changeovers").items():
        for after, seconds in _mapping(targets, f"{where} changeovers from {before!r}").items():
            changeovers[str(before), str(after)] = _number(seconds, "changeover", where)
    return SetupTimes(_number(setup.get("default_s", 0), "default_s", where), changeovers)


def _only(data: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise TwinError(f"{where}: unknown keys {unknown}; allowed are {sorted(allowed)}")


def _mapping(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise TwinError(f"{where} must be a mapping")
    return value


def _text(data: Mapping[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise TwinError(f"{where} needs a text {key!r}")
    return value


def _number(value: object, key: str, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TwinError(f"{where}: {key!r} must be a number, not {value!r}")
    return float(value)
