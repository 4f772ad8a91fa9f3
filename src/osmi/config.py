"""Osmi settings: ``config/<env>.yaml``, then ``.env``, then the environment.

Every setting has a lower_snake name (the YAML key and the attribute) and an
UPPER env-var name (see :data:`ENV_NAMES`). Call :func:`load_settings`; it
turns every problem into one :class:`ConfigError` line that names the env var.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Annotated, Any, Literal

import platformdirs
import yaml
from dotenv import dotenv_values
from pydantic import (
    Field,
    SecretStr,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails, PydanticCustomError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

Environment = Literal["development", "staging", "production"]
LogLevel = Literal["debug", "info", "warning", "error"]
LogFormat = Literal["console", "json"]
Port = Annotated[int, Field(ge=0, le=65535)]
NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

ENVIRONMENTS: tuple[str, ...] = ("development", "staging", "production")
DB_SCHEMES: tuple[str, ...] = ("postgres", "postgresql", "postgresql+psycopg")

ENV_NAMES: dict[str, str] = {
    "env": "OSMI_ENV",
    "database_url": "DATABASE_URL",
    "host": "OSMI_HOST",
    "grpc_port": "GRPC_PORT",
    "http_port": "HTTP_PORT",
    "health_port": "HEALTH_PORT",
    "log_level": "LOG_LEVEL",
    "log_format": "LOG_FORMAT",
    "db_pool_size": "DB_POOL_SIZE",
    "db_max_overflow": "DB_MAX_OVERFLOW",
    "db_pool_timeout": "DB_POOL_TIMEOUT",
    "data_dir": "OSMI_DATA_DIR",
    "shutdown_grace": "SHUTDOWN_GRACE",
    "service_name": "SERVICE_NAME",
    "http_max_connections": "HTTP_MAX_CONNECTIONS",
    "grpc_max_concurrent_rpcs": "GRPC_MAX_CONCURRENT_RPCS",
}

_EXPECTED: dict[str, str] = {
    "env": "expected one of " + ", ".join(ENVIRONMENTS),
    "database_url": "expected a URL starting with " + ", ".join(f"{s}://" for s in DB_SCHEMES),
    "host": "expected a non-empty host name or IP address",
    "grpc_port": "expected an integer 0..65535",
    "http_port": "expected an integer 0..65535",
    "health_port": "expected an integer 0..65535",
    "log_level": "expected one of debug, info, warning, error",
    "log_format": "expected console or json",
    "db_pool_size": "expected an integer 1..200",
    "db_max_overflow": "expected an integer 0..200",
    "db_pool_timeout": "expected a number of seconds > 0",
    "data_dir": "expected a directory path",
    "shutdown_grace": "expected a number of seconds >= 0",
    "service_name": "expected a non-empty name",
    "http_max_connections": "expected an integer 1..100000",
    "grpc_max_concurrent_rpcs": "expected an integer 1..100000",
}

# Read only from the environment (or .env): they choose which files are read.
CONFIG_DIR_VAR = "OSMI_CONFIG_DIR"
ENV_FILE_VAR = "OSMI_ENV_FILE"

_QUERY_PASSWORD = re.compile(r"((?:^|&)password=)[^&#]*", re.IGNORECASE)

_environ: ContextVar[Mapping[str, str] | None] = ContextVar("osmi_config_environ", default=None)


class ConfigError(Exception):
    """Bad configuration; ``str()`` is one line listing every problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = tuple(problems)


class Settings(BaseSettings):
    """Immutable process settings. Build with :func:`load_settings`."""

    model_config = SettingsConfigDict(frozen=True, extra="forbid")

    env: Environment = "development"
    database_url: SecretStr | None = None
    host: NonEmpty = "127.0.0.1"
    grpc_port: Port = 50051
    http_port: Port = 8080
    health_port: Port = 8081
    log_level: LogLevel = "info"
    log_format: LogFormat = Field(
        default_factory=lambda data: "json" if data.get("env") == "production" else "console"
    )
    db_pool_size: int = Field(default=10, ge=1, le=200)
    db_max_overflow: int = Field(default=10, ge=0, le=200)
    db_pool_timeout: float = Field(default=10.0, gt=0)
    data_dir: Path = Field(default_factory=lambda: default_data_dir())
    shutdown_grace: float = Field(default=10.0, ge=0)
    service_name: NonEmpty = "osmi"
    http_max_connections: int = Field(default=2000, ge=1, le=100_000)
    grpc_max_concurrent_rpcs: int = Field(default=1000, ge=1, le=100_000)

    @field_validator("env", "log_level", "log_format", mode="before")
    @classmethod
    def _lowercase(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("database_url")
    @classmethod
    def _check_scheme(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and _scheme(value.get_secret_value()) not in DB_SCHEMES:
            raise PydanticCustomError("db_scheme", "unsupported database URL scheme")
        return value

    @field_validator("data_dir")
    @classmethod
    def _expand_home(cls, value: Path) -> Path:
        return value.expanduser()

    @model_validator(mode="after")
    def _distinct_ports(self) -> Settings:
        problems = _port_conflicts(self)
        if problems:
            raise PydanticCustomError("port_conflict", "; ".join(problems))
        return self

    @property
    def sqlalchemy_url(self) -> str | None:
        """``DATABASE_URL`` for SQLAlchemy (``postgresql+psycopg://``); None = embedded."""
        return _with_scheme(self.database_url, "postgresql+psycopg")

    @property
    def libpq_url(self) -> str | None:
        """``DATABASE_URL`` for libpq/psycopg (``postgresql://``); None = embedded."""
        return _with_scheme(self.database_url, "postgresql")

    @property
    def redacted_database_url(self) -> str | None:
        """``DATABASE_URL`` safe to print: the password replaced by ``***``."""
        if self.database_url is None:
            return None
        return redact_url(self.database_url.get_secret_value())

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        environ = _environ.get()
        if environ is None:
            environ = os.environ
        dotenv = _read_dotenv(environ)
        return (
            init_settings,
            _EnvVarSource(settings_cls, environ),
            _EnvVarSource(settings_cls, dotenv),
            _YamlSource(settings_cls, _yaml_path(environ, dotenv)),
        )


def default_data_dir() -> Path:
    """The per-user data directory; for root, the system one.

    The embedded PostgreSQL wheel, run as root, opens every parent folder of its
    data directory to all users; /root must not be one of them.
    """
    if os.name == "posix" and os.geteuid() == 0:
        return Path("/var/lib/osmi")
    return Path(platformdirs.user_data_dir("osmi"))


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read YAML, ``.env`` and ``environ`` (default: the process env) into Settings.

    When ``environ`` is given the process environment is not consulted; the
    ``.env`` and YAML paths still come from ``environ`` or their defaults.
    Raises :class:`ConfigError` naming every bad setting.
    """
    with _using_environ(os.environ if environ is None else environ):
        try:
            return Settings()
        except ValidationError as exc:
            # A bad OSMI_ENV also fails log_format's default; report OSMI_ENV only.
            errors = [e for e in exc.errors() if e["type"] != "default_factory_not_called"]
            raise ConfigError([_describe(err) for err in errors]) from None


def redact_url(url: str) -> str:
    """``url`` with any password (userinfo or ``password=`` query) replaced by ``***``.

    Works on malformed input too, since it is used to echo rejected values.
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "", url
    main, question, query = rest.partition("?")
    # The last "@" ends the userinfo, so a raw "@" or "/" in a password is still hidden.
    userinfo, at, host_and_path = main.rpartition("@")
    if at and ":" in userinfo:
        main = f"{userinfo.split(':', 1)[0]}:***@{host_and_path}"
    return scheme + sep + main + question + _QUERY_PASSWORD.sub(r"\1***", query)


@contextmanager
def _using_environ(environ: Mapping[str, str]) -> Iterator[None]:
    token = _environ.set(environ)
    try:
        yield
    finally:
        _environ.reset(token)


class _EnvVarSource(PydanticBaseSettingsSource):
    """UPPER-named variables (real environment or ``.env``); empty means unset."""

    def __init__(self, settings_cls: type[BaseSettings], variables: Mapping[str, str]) -> None:
        super().__init__(settings_cls)
        self._values = {
            field: variables[name] for field, name in ENV_NAMES.items() if variables.get(name)
        }

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self._values.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self._values)


class _YamlSource(PydanticBaseSettingsSource):
    """``config/<env>.yaml`` keyed by field name; a missing file is empty."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path | None) -> None:
        super().__init__(settings_cls)
        self._values = _read_yaml(path) if path is not None and path.is_file() else {}

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self._values.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self._values)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        problem = " ".join(str(exc).split())
        raise ConfigError([f"cannot read {path}: {problem}"]) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError([f"{path}: expected a mapping of setting names to values"])
    # `env` picks the file, so a file cannot set it.
    allowed = set(ENV_NAMES) - {"env"}
    unknown = [str(key) for key in data if key not in allowed]
    if unknown:
        raise ConfigError([f"{path}: unknown setting {key!r}" for key in unknown])
    return {key: value for key, value in data.items() if value is not None}


def _read_dotenv(environ: Mapping[str, str]) -> dict[str, str]:
    path = Path(environ.get(ENV_FILE_VAR) or ".env")
    if not path.is_file():
        if environ.get(ENV_FILE_VAR):
            raise ConfigError([f"invalid setting {ENV_FILE_VAR}={str(path)!r}: file not found"])
        return {}
    return {key: value for key, value in dotenv_values(path).items() if value is not None}


def _yaml_path(environ: Mapping[str, str], dotenv: Mapping[str, str]) -> Path | None:
    env = (environ.get("OSMI_ENV") or dotenv.get("OSMI_ENV") or "development").strip().lower()
    if env not in ENVIRONMENTS:
        return None  # the env source reports the bad OSMI_ENV
    explicit = environ.get(CONFIG_DIR_VAR) or dotenv.get(CONFIG_DIR_VAR)
    config_dir = Path(explicit or "config")
    if explicit and not config_dir.is_dir():
        raise ConfigError([f"invalid setting {CONFIG_DIR_VAR}={explicit!r}: directory not found"])
    return config_dir / f"{env}.yaml"


def _port_conflicts(settings: Settings) -> list[str]:
    seen: dict[int, str] = {}
    problems: list[str] = []
    for field in ("grpc_port", "http_port", "health_port"):
        port: int = getattr(settings, field)
        if port == 0:
            continue
        if port in seen:
            problems.append(
                f"invalid setting {ENV_NAMES[field]}={port}: "
                f"expected a port different from {ENV_NAMES[seen[port]]} (0 picks a free port)"
            )
        else:
            seen[port] = field
    return problems


def _describe(err: ErrorDetails) -> str:
    field = str(err["loc"][0]) if err["loc"] else ""
    if field not in ENV_NAMES:
        return err["msg"]
    value = err["input"]
    if field == "database_url" and isinstance(value, str):
        value = redact_url(value)
    return f"invalid setting {ENV_NAMES[field]}={value!r}: {_EXPECTED[field]}"


def _scheme(url: str) -> str:
    return url.partition("://")[0].lower() if "://" in url else ""


def _with_scheme(url: SecretStr | None, scheme: str) -> str | None:
    if url is None:
        return None
    raw = url.get_secret_value()
    return scheme + raw[len(_scheme(raw)) :]
