"""Digital twin: a seeded SimPy plant that speaks the machines' MQTT contract through callbacks;
and a simulated network of independent makers routed by the routing engine."""

from typing import TYPE_CHECKING

from c2m.domains.factory.vocabulary import CAPABILITIES, MachineState
from c2m.engines.exports import lazy_exports

if TYPE_CHECKING:
    from c2m.engines.simulation.dispatcher import DispatchStats, FifoDispatcher, Step, WorkOrder
    from c2m.engines.simulation.events import EventLog, Listener, Payload, TwinEvent
    from c2m.engines.simulation.loading import factory_from_dict, load_factory
    from c2m.engines.simulation.maker_network import NetworkReport, simulate_network
    from c2m.engines.simulation.maker_population import NetworkSpec, Reliability
    from c2m.engines.simulation.model import (
        Ack,
        FactorySpec,
        JobCommand,
        MachineSpec,
        SetupTimes,
        TwinError,
    )
    from c2m.engines.simulation.twin import Twin, make_environment

_EXPORTS = {
    "DispatchStats": "dispatcher",
    "FifoDispatcher": "dispatcher",
    "Step": "dispatcher",
    "WorkOrder": "dispatcher",
    "EventLog": "events",
    "Listener": "events",
    "Payload": "events",
    "TwinEvent": "events",
    "factory_from_dict": "loading",
    "load_factory": "loading",
    "NetworkReport": "maker_network",
    "simulate_network": "maker_network",
    "NetworkSpec": "maker_population",
    "Reliability": "maker_population",
    "Ack": "model",
    "FactorySpec": "model",
    "JobCommand": "model",
    "MachineSpec": "model",
    "SetupTimes": "model",
    "TwinError": "model",
    "Twin": "twin",
    "make_environment": "twin",
}
__all__ = [
    "CAPABILITIES",
    "Ack",
    "DispatchStats",
    "EventLog",
    "FactorySpec",
    "FifoDispatcher",
    "JobCommand",
    "Listener",
    "MachineSpec",
    "MachineState",
    "NetworkReport",
    "NetworkSpec",
    "Payload",
    "Reliability",
    "SetupTimes",
    "Step",
    "Twin",
    "TwinError",
    "TwinEvent",
    "WorkOrder",
    "factory_from_dict",
    "load_factory",
    "make_environment",
    "simulate_network",
]
__getattr__ = lazy_exports(__name__, _EXPORTS)
