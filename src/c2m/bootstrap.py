"""Composition root: builds both halves of c2m from one :class:`Settings`.

The platform (database, event bus, outbox relay, live timelines, upkeep, settlers, payments) is
what the web serves; the factory (broker, MQTT ingest, production loop, optionally the digital
twin) is what runs the machines. Each can run alone or both in one process (``c2m demo``);
entry points (web, CLI) call this, and nothing below it knows which adapters were chosen.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal

from c2m.domains.catalog import models as catalog_models
from c2m.domains.catalog.templates import PromiseSource
from c2m.domains.circles import models as circle_models
from c2m.domains.circles.batches import settle_batches
from c2m.domains.factory import models as factory_models
from c2m.domains.insights import models as insight_models
from c2m.domains.integrations import models as integration_models
from c2m.domains.integrations.catch_up import catch_up as webhook_catch_up
from c2m.domains.integrations.fanout import WebhookFanout
from c2m.domains.integrations.mail import MAILBOX
from c2m.domains.ledger import models as ledger_models
from c2m.domains.ledger.rules import Rates
from c2m.domains.ledger.subscriber import OrderMoneyPoster
from c2m.domains.makers import models as maker_models
from c2m.domains.makers.offers import time_out_offers
from c2m.domains.makers.order_jobs import route_paid_parts
from c2m.domains.materials import models as material_models
from c2m.domains.orders import models as order_models
from c2m.domains.orders.counts import orders_by_state
from c2m.domains.orders.events import TOPIC_PREFIX as ORDER_TOPICS
from c2m.domains.orders.live import TimelineWatcher
from c2m.domains.orders.payments import Callback, TestPaymentProvider
from c2m.domains.orders.placement import OrderRequest, place_orders
from c2m.domains.orders.service import apply_callback
from c2m.domains.planning import models as planning_models
from c2m.domains.planning.promising import promise_source
from c2m.domains.platform import models as platform_models
from c2m.domains.platform.token_cache import TokenCache
from c2m.domains.quoting import models as quoting_models
from c2m.domains.quoting.capacity import machine_capacity
from c2m.domains.quoting.quotes import CapacitySource
from c2m.domains.quoting.uploads import Analyser
from c2m.domains.traceability import models as traceability_models
from c2m.domains.traceability.footprint import UnitFootprints
from c2m.domains.traceability.quality import QualityRecords
from c2m.domains.traceability.serials import UnitSerials
from c2m.kernel import idempotency, outbox
from c2m.kernel.bus import EventBus
from c2m.kernel.clock import utcnow
from c2m.kernel.db import Base, Database
from c2m.kernel.files import FileStore
from c2m.kernel.group_commit import GroupWriter
from c2m.kernel.health import Health, database_check, outbox_check, outbox_lag
from c2m.kernel.idempotency import StoredResponse
from c2m.kernel.logs import configure_logging
from c2m.kernel.metrics import Metric, Metrics, gauge, labelled_gauge
from c2m.kernel.outbox import OutboxRelay
from c2m.kernel.signing import Signer
from c2m.migrations import schema_behind
from c2m.settings import Settings, load_settings
from c2m.workers.mail import MailSender
from c2m.workers.push import PushSender
from c2m.workers.retention import Retention
from c2m.workers.webhooks import SenderConfig, WebhookSender

if TYPE_CHECKING:
    from c2m.engines.simulation import Twin  # SimPy: only the demo and the twin build one
    from c2m.workers.factory import FactoryWorkers  # MQTT: only the factory tier needs it

log = logging.getLogger(__name__)
BATCH_CHECK_SECONDS = 2.0
UPKEEP_SECONDS = 3600.0
LEDGER_CATCH_UP_SECONDS = 300.0
WEBHOOK_CATCH_UP_SECONDS = 300.0
Tier = Literal["all", "web", "worker"]
"""What a process runs: ``web`` serves (pages, API, live timelines), ``worker`` works (outbox
relay, pre-order settling, upkeep, and the factory half beside it), ``all`` both (the demo)."""

#: Every module that defines tables, so the metadata is complete wherever it is used.
TABLE_MODULES = (
    platform_models,
    catalog_models,
    material_models,
    order_models,
    factory_models,
    quoting_models,
    planning_models,
    circle_models,
    maker_models,
    traceability_models,
    ledger_models,
    insight_models,
    integration_models,
    outbox,
    idempotency,
)
metadata = Base.metadata


@dataclass
class Platform:
    """Everything a running c2m process shares."""

    settings: Settings
    db: Database
    bus: EventBus
    relay: OutboxRelay
    payments: TestPaymentProvider
    share_signer: Signer
    design_signer: Signer
    timelines: TimelineWatcher
    uploads: FileStore
    pictures: FileStore  # of circle demands
    analyser: Analyser
    capacity: CapacitySource
    promise: PromiseSource  # capable to promise: the live plan's say on a lead time
    orders: GroupWriter[OrderRequest, StoredResponse]  # API orders, group-committed
    ledger: OrderMoneyPoster  # posts the timeline's money; catches up with what it missed
    webhooks: WebhookSender  # delivers what the timeline's webhook subscribers asked for
    push: PushSender  # tells the phones that asked for an order's news
    mail: MailSender  # e-mails customers their orders' milestones
    tokens: TokenCache
    health: Health
    metrics: Metrics
    tier: Tier = "all"
    stop: threading.Event = field(default_factory=threading.Event)
    _crunch: ProcessPoolExecutor | None = None
    threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> None:
        """Start the background loops of this process's tier."""
        self.stop.clear()
        loops: list[tuple[Callable[[], None], str]] = []
        if self.tier != "worker":
            loops.append((self._watch_timelines, "timeline-watcher"))
            if not self.db.is_sqlite:
                loops.append((self._listen_timelines, "timeline-listener"))
        if self.tier != "web":
            loops.append((self._relay_loop, "outbox-relay"))
            loops.append((self._housekeeping, "upkeep"))
            loops.append((self._settle_batches, "preorder-batches"))
            loops.append((self._sweep_makers, "makers"))
            loops.append((self._catch_up_ledger, "ledger-catch-up"))
            loops.append((self._send_webhooks, "webhook-sender"))
            loops.append((self._catch_up_webhooks, "webhook-catch-up"))
            loops.append((self._send_pushes, "push-sender"))
            loops.append((self._send_mails, "mail-sender"))
        for target, name in loops:
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self.threads.append(thread)

    def crunch(self) -> ProcessPoolExecutor:
        """A worker process for CPU-heavy requests (clustering), started on first use so web
        processes that never need it never pay for it."""
        if self._crunch is None:
            context = multiprocessing.get_context("forkserver")
            self._crunch = ProcessPoolExecutor(max_workers=1, mp_context=context)
        return self._crunch

    def shutdown(self) -> None:
        self.stop.set()
        self.orders.close()
        if self._crunch is not None:
            self._crunch.shutdown(wait=False, cancel_futures=True)
        self.relay.wakeup.set()
        self.webhooks.wake()
        self.push.wake()
        self.mail.wake()
        for thread in self.threads:
            thread.join(timeout=5)
        self.threads.clear()
        self.db.dispose()

    def _relay_loop(self) -> None:
        while not self.stop.is_set():
            try:
                published = self.relay.relay_once()
            except Exception:
                log.exception("outbox relay failed; retrying")
                published = 0
            if not published:
                self.relay.wakeup.wait(self.settings.outbox_poll_seconds)
                self.relay.wakeup.clear()

    def _send_webhooks(self) -> None:
        self.webhooks.run(self.stop)

    def _send_pushes(self) -> None:
        self.push.run(self.stop)

    def _send_mails(self) -> None:
        self.mail.run(self.stop)

    def _catch_up_webhooks(self) -> None:
        """Write the deliveries the webhooks handler missed: when the worker starts, then every
        few minutes."""
        while True:
            try:
                if webhook_catch_up(self.db, utcnow()):
                    self.webhooks.wake()
            except Exception:
                log.exception("the webhooks' catch-up failed; trying again")
            if self.stop.wait(WEBHOOK_CATCH_UP_SECONDS):
                return

    def _watch_timelines(self) -> None:
        self.timelines.run(self.stop, self.settings.sse_poll_seconds)

    def _listen_timelines(self) -> None:
        url = self.settings.listen_database_url or self.settings.sqlalchemy_url
        self.timelines.listen(url, self.stop)

    def _settle_batches(self) -> None:
        """Release pre-order batches that filled, refund those past their deadline."""
        while not self.stop.wait(BATCH_CHECK_SECONDS):
            try:
                with self.db.write() as session:
                    settle_batches(session, utcnow(), self.payments)
            except Exception:
                log.exception("settling pre-order batches failed; trying again")

    def _sweep_makers(self) -> None:
        """Route paid parts to makers; pass on the offers left unanswered past their deadline
        to the next maker."""
        while not self.stop.wait(self.settings.makers_sweep_seconds):
            try:
                with self.db.write() as session:
                    route_paid_parts(session, utcnow(), self.settings.customer_country)
                with self.db.write() as session:
                    time_out_offers(session, utcnow())
            except Exception:
                log.exception("routing to makers failed; trying again")

    def _catch_up_ledger(self) -> None:
        """Post the payments and refunds the ledger missed: when the worker starts, then every
        few minutes (a handler failed while this process ran)."""
        while True:
            try:
                while self.ledger.catch_up() and not self.stop.is_set():
                    pass
            except Exception:
                log.exception("the ledger's catch-up failed; trying again")
            if self.stop.wait(LEDGER_CATCH_UP_SECONDS):
                return

    def _housekeeping(self) -> None:
        """Upkeep when the worker starts (one that restarts often still does it) and hourly."""
        retention = Retention.of(self.settings)
        while True:
            try:
                with self.db.write() as session:
                    idempotency.purge_expired(session, self.settings.idempotency_hours)
                retention.purge(self.db, utcnow(), self.stop)
            except Exception:
                log.exception("housekeeping failed")
            if self.stop.wait(UPKEEP_SECONDS):
                return

    def deliver_callbacks_later(self, callbacks: list[Callback]) -> None:
        """Stand in for the test provider's webhooks: deliver after a delay, as given."""
        delay = self.settings.payment_webhook_delay

        def deliver() -> None:
            for callback in callbacks:
                if self.stop.wait(0.2):
                    return
                try:
                    with self.db.write() as session:
                        apply_callback(session, callback, self.payments)
                except Exception:
                    log.exception("payment callback %s failed", callback.provider_event_id)

        timer = threading.Timer(delay, deliver)
        timer.daemon = True
        timer.start()


def configure(**overrides: Any) -> Settings:
    """What every entry point needs first: settings from ``C2M_*`` and ``overrides`` (a wrong
    one is a :class:`SettingsError` naming its variable), and logging set up from them."""
    settings = load_settings(**overrides)
    configure_logging(settings.log_level, settings.log_format)
    return settings


def open_database(settings: Settings) -> Database:
    """The configured database; creates the data directory for the embedded SQLite file."""
    if not settings.database_url:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    return Database(
        settings.sqlalchemy_url, prepared_statements=settings.database_prepared_statements
    )


def build_platform(settings: Settings, tier: Tier = "all") -> Platform:
    """Everything a process of ``tier`` needs; refuses insecure settings outside demo mode."""
    settings.check_secure()
    db = open_database(settings)
    bus = EventBus()
    uploads = factory_models.ArtifactStore.UPLOADS.under(settings.data_dir)
    rates = Rates(
        Fraction(settings.platform_fee_rate), royalty=Fraction(settings.codesign_royalty_rate)
    )
    platform = Platform(
        settings=settings,
        db=db,
        bus=bus,
        relay=OutboxRelay(db, bus),
        payments=TestPaymentProvider(settings.secret_key),
        share_signer=Signer(settings.secret_key, "share"),
        design_signer=Signer(settings.secret_key, "design"),
        timelines=TimelineWatcher(db, bus),
        uploads=uploads,
        pictures=FileStore(settings.data_dir / "circle-pictures"),
        analyser=Analyser(uploads, settings.analysis_slots, settings.analysis_seconds),
        capacity=machine_capacity,
        promise=promise_source(settings.factory_time_scale),
        orders=GroupWriter(
            db, place_orders, name="order-intake", exclusive=lambda request: request.key
        ),
        ledger=OrderMoneyPoster(db, rates),
        webhooks=WebhookSender(db, SenderConfig.of(settings)),
        push=PushSender(db, settings.data_dir, f"mailto:{settings.mail_from}"),
        mail=MailSender(
            db,
            smtp_url=settings.smtp_url,
            sender=settings.mail_from,
            base_url=settings.base_url,
            mailbox=settings.data_dir / MAILBOX,
        ),
        tokens=TokenCache(settings.token_cache_seconds),
        health=Health(),
        metrics=Metrics(),
        tier=tier,
    )
    platform.payments.deliver_later = platform.deliver_callbacks_later
    bus.add_handler(ORDER_TOPICS, platform.ledger)
    bus.add_handler(ORDER_TOPICS, UnitSerials(db))
    bus.add_handler(ORDER_TOPICS, QualityRecords(db))
    bus.add_handler(ORDER_TOPICS, UnitFootprints(db))
    bus.add_batch_handler(ORDER_TOPICS, WebhookFanout(db, platform.webhooks.wake))
    bus.add_batch_handler(ORDER_TOPICS, platform.push)
    bus.add_batch_handler(ORDER_TOPICS, platform.mail)
    _observe(platform)
    return platform


def _observe(platform: Platform) -> None:
    """The readiness checks and scrape-time metrics of a platform (docs/operations.md). The
    outbox lag makes workers unready, not web processes: they relay nothing, and taking them
    out of a load balancer would not help."""
    db, health, metrics = platform.db, platform.health, platform.metrics
    health.add("database", database_check(db))
    health.add("schema", lambda: schema_behind(db.engine))
    if platform.tier != "web":
        health.add("outbox", outbox_check(db, platform.settings.ready_outbox_lag_seconds))

    def orders() -> list[Metric]:
        with db.read() as session:
            counts = {str(state): float(n) for state, n in orders_by_state(session).items()}
        return [labelled_gauge("c2m_orders", "Orders in each state.", "state", counts)]

    metrics.add(orders)
    metrics.add(
        lambda: [
            gauge(
                "c2m_outbox_lag_seconds",
                "Age of the oldest unpublished outbox message (0: none waits).",
                outbox_lag(db),
            )
        ]
    )
    metrics.add(
        lambda: [
            gauge(
                "c2m_sse_subscribers",
                "Live timeline (SSE) streams open in this process.",
                platform.timelines.subscribers(),
            )
        ]
    )


def build_factory(
    settings: Settings,
    db: Database,
    *,
    twin: Twin | None = None,
    bus: EventBus | None = None,
    health: Health | None = None,
) -> FactoryWorkers:
    """The factory half on ``db``: the embedded broker unless ``C2M_MQTT_URL`` names one, the
    ingest (its persistent MQTT session named after ``C2M_WORKER_ID``), the production loop (for
    the factories whose lease it wins; the ingest writes those factories' messages) and, given a
    ``twin``, its machines on the same broker. Given the
    process's ``bus`` (where the outbox relay publishes), the factory's own events wake the
    production loop at once; given its ``health``, readiness asks for the broker too. Start
    and stop it around the entry point."""
    from c2m.workers.broker import BrokerThread
    from c2m.workers.factory import FactoryWorkers
    from c2m.workers.ingest import IngestWorker
    from c2m.workers.mqtt import broker_connection
    from c2m.workers.twin_bridge import TwinBridge

    broker = broker_connection(settings)
    ingest = IngestWorker(
        db,
        broker,
        lease_s=settings.job_lease_seconds,
        client_id=f"c2m-ingest-{settings.worker_id}",
        mqtt5=bool(settings.mqtt_url),  # the embedded broker speaks MQTT 3.1.1 only
        standby_s=settings.lease_seconds * 6,
        acknowledge_on_receipt=not settings.mqtt_url,  # the embedded broker dies with us
    )
    if health is not None:
        health.add("broker", lambda: ingest.problem)
    return FactoryWorkers(
        settings,
        db,
        ingest,
        broker=None if settings.mqtt_url else BrokerThread(broker.host, broker.port),
        bridge=None if twin is None else TwinBridge(twin, broker),
        bus=bus,
    )
