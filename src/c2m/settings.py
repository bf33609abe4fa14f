"""One settings object for the whole program, read from ``C2M_*`` environment variables.

Defaults are safe for the demo; outside demo mode an insecure secret key is refused so a
production install cannot start with a key anyone can read in this file.
"""

from __future__ import annotations

import os
import re
import socket
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    Field,
    NonNegativeFloat,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from c2m.kernel.errors import describe_validation

INSECURE_SECRET_KEY = "insecure-demo-key-change-me"  # noqa: S105 - the sentinel we refuse
SECRET_FIELDS = frozenset(
    {
        "secret_key",
        "database_url",
        "mqtt_url",
        "mqtt_password",
        "listen_database_url",
        "smtp_url",
    }
)
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]
LogFormat = Literal["human", "json"]


RATE = r"\d+\s*(per|/)\s*(\d+\s*)?(second|minute|hour|day)s?"
"""A rate limit as the limits library writes it, without what it would take but not explain."""


class SettingsError(ValueError):
    """A setting the program cannot run with; the message names its ``C2M_*`` variable."""


class InsecureSettingsError(SettingsError):
    """Raised when settings that are only acceptable for a demo are used in earnest."""


class Settings(BaseSettings):
    """Configuration of one c2m process, grouped by area as in docs/configuration.md.

    Field names stay flat (``C2M_<NAME>``) so one variable is one field.
    """

    model_config = SettingsConfigDict(env_prefix="C2M_", extra="ignore")

    # --- the platform -------------------------------------------------------------------------
    demo: bool = Field(False, description="Demo mode: seeded data and relaxed secrets.")
    data_dir: Path = Field(Path(".c2m"), description="Where the SQLite file and uploads live.")
    database_url: str = Field("", description="SQLAlchemy URL; empty means SQLite in data_dir.")
    secret_key: str = Field(INSECURE_SECRET_KEY, description="Signs share links and webhooks.")
    base_url: str = Field("http://127.0.0.1:8000", description="Public URL, used in links.")

    # --- logging ------------------------------------------------------------------------------
    log_level: LogLevel = Field("INFO", description="Least important log lines written.")
    log_format: LogFormat = Field(
        "human", description="human: one readable line per record; json: one JSON object."
    )

    # --- web and API --------------------------------------------------------------------------
    session_days: int = Field(14, ge=1, le=365, description="How long a log-in lasts.")
    secure_cookies: bool = Field(False, description="Send cookies over HTTPS only.")
    max_body_bytes: int = Field(1_000_000, ge=1_024, description="Largest JSON body accepted.")
    body_grace_seconds: float = Field(
        10.0, gt=0, le=300, description="How long any request body may take before its pace counts."
    )
    body_min_bytes_per_second: int = Field(
        1000, ge=1, description="Slowest average pace of a request body after the grace time."
    )
    token_cache_seconds: float = Field(
        2.0, ge=0, le=60, description="How long a process remembers who holds an API token."
    )
    service_token_seconds: int = Field(
        3600, ge=60, le=86_400, description="How long a token from client credentials lasts."
    )
    idempotency_hours: int = Field(48, ge=24, description="How long Idempotency-Keys are kept.")
    rate_limit_storage: str = Field(
        "memory://",
        description="Where rate limits count (the limits library's storage URL): memory:// in "
        "each process, redis://host:6379 shared by every web process.",
    )
    login_failures_per_account: str = Field(
        "10 per 15 minutes", description="Failed log-ins for one account before it must wait."
    )
    login_failures_per_address: str = Field(
        "50 per 15 minutes", description="Failed log-ins from one address before it must wait."
    )
    api_calls_per_token: str = Field(
        "1200 per minute", description="API calls of one token (or signed-in person)."
    )
    uploads_per_person: str = Field("60 per hour", description="Get a Quote uploads per person.")
    payment_webhook_delay: float = Field(
        3.0, ge=0, description="Seconds before the test provider confirms a delayed payment."
    )
    outbox_poll_seconds: float = Field(0.5, gt=0, description="Outbox relay polling interval.")
    sse_poll_seconds: float = Field(
        1.0,
        gt=0,
        description="How often a process looks for timeline events other processes committed "
        "(on PostgreSQL only the safety net: events arrive by LISTEN/NOTIFY at once).",
    )
    database_prepared_statements: bool = Field(
        True,
        description="Let the PostgreSQL driver prepare statements it runs often; false behind "
        "PgBouncer older than 1.21 in transaction mode, which cannot keep them.",
    )
    listen_database_url: str = Field(
        "",
        description="PostgreSQL URL for LISTEN (a direct connection, not through PgBouncer in "
        "transaction mode); empty: the database URL.",
    )

    # --- quoting ------------------------------------------------------------------------------
    upload_max_files: int = Field(
        5, ge=1, le=100, description="Files one Get a Quote request may carry."
    )
    upload_max_bytes: int = Field(
        10 * 1024 * 1024, ge=1024, description="Largest uploaded CAD file, in bytes."
    )
    analysis_seconds: float = Field(
        8.0, gt=0, le=300, description="Time limit of one sandboxed part analysis."
    )
    analysis_slots: int = Field(
        2, ge=1, le=64, description="Part analyses run at once per process (each a child process)."
    )

    # --- the ledger ---------------------------------------------------------------------------
    platform_fee_rate: Decimal = Field(
        Decimal("0.10"),
        ge=0,
        le=1,
        description="The platform's fee: the fraction of each captured payment it keeps.",
    )
    codesign_royalty_rate: Decimal = Field(
        Decimal("0.05"),
        ge=0,
        le=1,
        description="The co-design royalty: the fraction of each payment for a circle's model "
        "shared among the members whose demands shaped it.",
    )

    # --- the factory: machines, planning and dispatch -----------------------------------------
    factory_time_scale: float = Field(
        1.0,
        gt=0,
        le=10_000,
        description="Machine seconds per wall second: 1 for real machines, the twin's speed.",
    )
    plan_seconds: float = Field(
        1.5, gt=0, le=60, description="Solver time budget of one (re-)plan of a factory."
    )
    production_tick_seconds: float = Field(
        0.25, gt=0, le=60, description="Longest pause of the production loop between rounds."
    )
    worker_id: str = Field(
        default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}",
        min_length=1,
        max_length=80,
        pattern=r"^[A-Za-z0-9._-]+$",
        description="Names this worker (its leases, its MQTT session); set it to a stable name "
        "per worker so a restart resumes its session. Default: host name and process id.",
    )
    lease_seconds: float = Field(
        5.0,
        ge=1,
        le=300,
        description="A factory's planner lease: a dead worker's factories are taken over after "
        "about this long.",
    )
    carrier_delay_seconds: float | None = Field(
        None,
        gt=0,
        description="A simulated carrier delivers shipped orders this many machine seconds "
        "later; unset: deliveries are reported by a real carrier.",
    )
    mqtt_url: str = Field(
        "",
        description="The machines' broker, mqtt://host:1883 or mqtts://host:8883 (TLS); "
        "empty: the embedded broker.",
    )
    mqtt_port: int = Field(
        1884, ge=1, le=65535, description="Port of the embedded broker on 127.0.0.1."
    )
    mqtt_username: str = Field("", description="c2m's user name on the broker; empty: none.")
    mqtt_password: str = Field("", description="c2m's password on the broker.")
    mqtt_ca_file: Path | None = Field(
        None,
        description="PEM file of the authority that signed the broker's certificate (mqtts); "
        "unset: the system's trusted authorities.",
    )
    mqtt_client_cert: Path | None = Field(
        None, description="PEM certificate c2m shows the broker (mqtts), with its key."
    )
    mqtt_client_key: Path | None = Field(
        None, description="PEM private key of C2M_MQTT_CLIENT_CERT."
    )
    job_lease_seconds: float = Field(
        900.0, gt=0, description="Silence after which a job attempt is presumed lost."
    )
    dispatch_lease_margin_seconds: float = Field(
        900.0,
        gt=0,
        description="A job command's first lease: three times its expected duration plus this.",
    )

    # --- webhooks -----------------------------------------------------------------------------
    webhook_retry_seconds: tuple[NonNegativeFloat, ...] = Field(
        (5, 300, 1800, 7200, 18000, 36000, 50400),
        min_length=1,
        max_length=30,
        description="Waits before each retry of a failed delivery (JSON list, drawn within "
        "+-20 %); after the last, the delivery has failed. The default: 8 attempts over 31.6 h, "
        "never under 24 h.",
    )
    webhook_disable_after_seconds: float = Field(
        86400.0,
        gt=0,
        description="A webhook whose deliveries all failed for this long is disabled.",
    )
    webhook_timeout_seconds: float = Field(
        10.0, gt=0, le=120, description="How long a receiver may take to answer one delivery."
    )
    webhook_concurrency: int = Field(
        32, ge=1, le=1000, description="Deliveries in flight at once per worker."
    )
    webhook_per_subscription: int = Field(
        4,
        ge=1,
        le=1000,
        description="Deliveries in flight at once to one webhook per worker, so a receiver that "
        "hangs takes only a few slots.",
    )
    webhook_poll_seconds: float = Field(
        1.0, gt=0, le=60, description="How often a worker looks for retries that came due."
    )
    webhook_allow_loopback: bool = Field(
        False,
        description="Let webhooks and push endpoints name this machine (http://127.0.0.1:...); "
        "always in demo mode.",
    )

    # --- news on the phone and by e-mail --------------------------------------------------
    smtp_url: str = Field(
        "",
        pattern=r"^(smtps?://\S+)?$",
        description="SMTP server for e-mail: smtp://[user:password@]host[:port] (STARTTLS when "
        "offered) or smtps://...; empty: mails are written into <data_dir>/mails (the demo).",
    )
    mail_from: str = Field(
        "c2m@localhost",
        max_length=200,
        description="Sender of the platform's e-mails, and the contact push services are given.",
    )

    # --- makers -----------------------------------------------------------------------------
    makers_sweep_seconds: float = Field(
        10.0,
        gt=0,
        le=300,
        description="How often a worker routes paid parts to makers and passes on unanswered "
        "offers.",
    )
    customer_country: str = Field(
        "DE",
        pattern=r"^[A-Z]{2}$",
        description="Where customers' parts ship to (ISO 3166-1), for makers' ship times, until "
        "orders carry an address.",
    )

    # --- operations: health, metrics, retention -----------------------------------------------
    ready_outbox_lag_seconds: float = Field(
        60.0,
        gt=0,
        description="A worker is not ready while its oldest unpublished outbox message is older.",
    )
    worker_health_port: int = Field(
        9101,
        ge=0,
        le=65535,
        description="Port of a worker's /livez, /readyz and /metrics; 0: none served.",
    )
    worker_health_host: str = Field(
        "127.0.0.1",
        description="Address a worker serves /livez, /readyz and /metrics on; 0.0.0.0 for all.",
    )
    grid_kg_co2e_per_kwh: float = Field(
        0.214,
        ge=0,
        le=2,
        description="Greenhouse gas per kWh of the electricity the machines draw (kg CO2e), "
        "for the units' footprint in their passports. The default is the EU-27 average of "
        "electricity generation in 2023 (European Environment Agency, indicator 'Greenhouse gas "
        "emission intensity of electricity generation': 58 % below 1990's 510 g CO2e/kWh); set "
        "your grid's or your supplier's.",
    )
    retain_telemetry_days: float = Field(
        30.0, gt=0, description="Telemetry samples older than this are deleted."
    )
    retain_outbox_days: float = Field(
        7.0,
        gt=0,
        description="Published outbox messages (and consumers' processed-message marks) older "
        "than this are deleted.",
    )
    retain_webhook_days: float = Field(
        30.0,
        gt=0,
        description="Webhook deliveries done with (delivered or failed), and their log, older "
        "than this are deleted.",
    )
    retention_batch: int = Field(
        5000, ge=1, le=1_000_000, description="Rows deleted per transaction by retention."
    )

    @field_validator("log_level", mode="before")
    @classmethod
    def _level_any_case(cls, value: object) -> object:
        """``debug`` or ``DEBUG``; stored as the logging module spells it."""
        return value.upper() if isinstance(value, str) else value

    @field_validator("log_format", mode="before")
    @classmethod
    def _format_any_case(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    @field_validator("codesign_royalty_rate")
    @classmethod
    def _royalty_fits(cls, value: Decimal, info: ValidationInfo) -> Decimal:
        """The fee and the royalty are cut from one payment: together at most all of it."""
        fee = info.data.get("platform_fee_rate")
        if fee is not None and fee + value > 1:
            raise ValueError("with C2M_PLATFORM_FEE_RATE it must add up to at most 1")
        return value

    @field_validator(
        "login_failures_per_account",
        "login_failures_per_address",
        "api_calls_per_token",
        "uploads_per_person",
    )
    @classmethod
    def _rate(cls, value: str) -> str:
        """A rate the limits library reads, such as ``10 per 15 minutes``."""
        if not re.fullmatch(RATE, value.strip()):
            raise ValueError("write it as a count per period, such as '10 per 15 minutes'")
        return value.strip()

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        """A URL SQLAlchemy cannot use is refused here, before any command opens it."""
        if not value:
            return value
        try:
            make_url(value).get_dialect().import_dbapi()
        except ArgumentError:
            raise ValueError(
                "write it as postgresql+psycopg://user:password@host/db or sqlite:///path/to/file"
            ) from None
        except ImportError as exc:
            raise ValueError(f"its database driver {exc.name} is not installed") from None
        return value

    def check_secure(self) -> None:
        """Refuse to run a real (non-demo) platform with a guessable secret key."""
        if not self.demo and (self.secret_key == INSECURE_SECRET_KEY or len(self.secret_key) < 32):
            raise InsecureSettingsError(
                "C2M_SECRET_KEY must be set to a random string of at least 32 characters "
                "outside demo mode (for example: python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))')."
            )

    @property
    def sqlalchemy_url(self) -> str:
        """The database URL, falling back to a SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'c2m.sqlite3').resolve()}"


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment and ``overrides``; a wrong value is a
    :class:`SettingsError` naming its variable, not a validation dump."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise SettingsError(
            describe_validation(list(exc.errors()), "A setting is not valid", _variable)
        ) from None


def _variable(error: Any) -> str:
    """``C2M_NAME ('given')``; values that may hold a password are not repeated."""
    field = str((error.get("loc") or ("?",))[0])
    given = error.get("input")
    plain = isinstance(given, str | int | float) and field not in SECRET_FIELDS
    return f"C2M_{field.upper()}" + (f" ({given!r})" if plain else "")
