"""Settings: sources and precedence, validation messages, database URLs."""

from __future__ import annotations

import re
from pathlib import Path

import platformdirs
import pydantic
import pytest

from osmi.config import (
    ENV_NAMES,
    ConfigError,
    Settings,
    default_data_dir,
    load_settings,
    redact_url,
)

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def empty_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run each test in an empty directory: no ./config, no ./.env."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write_yaml(env: str, text: str, config_dir: Path = Path("config")) -> None:
    config_dir.mkdir(exist_ok=True)
    (config_dir / f"{env}.yaml").write_text(text)


def config_error(environ: dict[str, str]) -> str:
    with pytest.raises(ConfigError) as info:
        load_settings(environ)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_defaults_without_any_file() -> None:
    settings = load_settings({})
    assert settings.env == "development"
    assert settings.database_url is None
    assert settings.sqlalchemy_url is None
    assert settings.libpq_url is None
    assert settings.redacted_database_url is None
    assert settings.host == "127.0.0.1"
    assert (settings.grpc_port, settings.http_port, settings.health_port) == (50051, 8080, 8081)
    assert settings.log_level == "info"
    assert settings.log_format == "console"
    assert (settings.db_pool_size, settings.db_max_overflow) == (10, 10)
    assert settings.db_pool_timeout == 10.0
    assert settings.data_dir == default_data_dir()
    assert settings.shutdown_grace == 10.0
    assert settings.service_name == "osmi"


def test_yaml_then_dotenv_then_environment() -> None:
    write_yaml("development", "grpc_port: 1000\nhttp_port: 2000\nhealth_port: 3000\n")
    Path(".env").write_text("GRPC_PORT=1001\nHTTP_PORT=2001\n")
    settings = load_settings({"GRPC_PORT": "1002"})
    assert (settings.grpc_port, settings.http_port, settings.health_port) == (1002, 2001, 3000)


def test_given_environ_ignores_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRPC_PORT", "9999")
    assert load_settings({}).grpc_port == 50051
    assert load_settings().grpc_port == 9999


def test_settings_reads_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SERVICE_NAME", "box-office")
    assert Settings().service_name == "box-office"


def test_empty_variable_counts_as_unset() -> None:
    Path(".env").write_text("DATABASE_URL=\n")
    assert load_settings({"GRPC_PORT": ""}).grpc_port == 50051
    assert load_settings({}).database_url is None


def test_osmi_env_picks_the_yaml_file() -> None:
    write_yaml("development", "service_name: dev\n")
    write_yaml("staging", "service_name: stage\n")
    assert load_settings({}).service_name == "dev"
    assert load_settings({"OSMI_ENV": "Staging"}).service_name == "stage"


def test_osmi_env_from_dotenv_picks_the_yaml_file() -> None:
    write_yaml("staging", "service_name: stage\n")
    Path(".env").write_text("OSMI_ENV=staging\n")
    settings = load_settings({})
    assert (settings.env, settings.service_name) == ("staging", "stage")


def test_config_dir_and_env_file_can_be_moved(tmp_path: Path) -> None:
    write_yaml("development", "service_name: moved\n", tmp_path / "elsewhere")
    (tmp_path / "osmi.env").write_text("HTTP_PORT=7000\n")
    settings = load_settings(
        {
            "OSMI_CONFIG_DIR": str(tmp_path / "elsewhere"),
            "OSMI_ENV_FILE": str(tmp_path / "osmi.env"),
        }
    )
    assert (settings.service_name, settings.http_port) == ("moved", 7000)


def test_explicit_paths_must_exist() -> None:
    assert "OSMI_CONFIG_DIR='nowhere'" in config_error({"OSMI_CONFIG_DIR": "nowhere"})
    assert "OSMI_ENV_FILE='missing.env'" in config_error({"OSMI_ENV_FILE": "missing.env"})


def test_unknown_yaml_key_is_named() -> None:
    write_yaml("development", "grpc_port: 1\ngrcp_port: 2\n")
    message = config_error({})
    assert "unknown setting 'grcp_port'" in message
    assert "development.yaml" in message


def test_yaml_cannot_set_env() -> None:
    write_yaml("development", "env: production\n")
    assert "unknown setting 'env'" in config_error({})


@pytest.mark.parametrize("text", ["grpc_port: [1,\n", "- just\n- a list\n"])
def test_unreadable_yaml_is_one_line(text: str) -> None:
    write_yaml("development", text)
    assert "development.yaml" in config_error({})


def test_empty_yaml_is_fine() -> None:
    write_yaml("development", "# nothing here\n")
    assert load_settings({}).grpc_port == 50051


@pytest.mark.parametrize(
    ("var", "value", "expected"),
    [
        ("OSMI_ENV", "prod", "expected one of development, staging, production"),
        ("DATABASE_URL", "mysql://db/osmi", "expected a URL starting with postgres://"),
        ("OSMI_HOST", "  ", "expected a non-empty host name or IP address"),
        ("GRPC_PORT", "abc", "expected an integer 0..65535"),
        ("HTTP_PORT", "65536", "expected an integer 0..65535"),
        ("HEALTH_PORT", "-1", "expected an integer 0..65535"),
        ("LOG_LEVEL", "loud", "expected one of debug, info, warning, error"),
        ("LOG_FORMAT", "xml", "expected console or json"),
        ("DB_POOL_SIZE", "0", "expected an integer 1..200"),
        ("DB_MAX_OVERFLOW", "201", "expected an integer 0..200"),
        ("DB_POOL_TIMEOUT", "0", "expected a number of seconds > 0"),
        ("SHUTDOWN_GRACE", "-1", "expected a number of seconds >= 0"),
        ("SERVICE_NAME", " ", "expected a non-empty name"),
    ],
)
def test_bad_value_names_the_variable(var: str, value: str, expected: str) -> None:
    message = config_error({var: value})
    assert message.startswith(f"invalid setting {var}={value!r}: {expected}")


def test_bad_yaml_value_names_the_variable() -> None:
    write_yaml("development", "db_pool_size: lots\n")
    assert config_error({}) == "invalid setting DB_POOL_SIZE='lots': expected an integer 1..200"


def test_every_bad_setting_is_listed() -> None:
    message = config_error({"GRPC_PORT": "abc", "LOG_LEVEL": "loud", "OSMI_ENV": "prod"})
    problems = message.split("; ")
    assert len(problems) == 3
    assert [p.split("=")[0] for p in problems] == [
        "invalid setting OSMI_ENV",
        "invalid setting GRPC_PORT",
        "invalid setting LOG_LEVEL",
    ]


def test_ports_must_differ() -> None:
    message = config_error({"HTTP_PORT": "50051"})
    assert message == (
        "invalid setting HTTP_PORT=50051: expected a port different from GRPC_PORT"
        " (0 picks a free port)"
    )


def test_all_three_ports_clashing_are_all_reported() -> None:
    message = config_error({"GRPC_PORT": "7000", "HTTP_PORT": "7000", "HEALTH_PORT": "7000"})
    assert "HTTP_PORT=7000" in message
    assert "HEALTH_PORT=7000" in message


def test_port_zero_may_repeat() -> None:
    settings = load_settings({"GRPC_PORT": "0", "HTTP_PORT": "0", "HEALTH_PORT": "0"})
    assert (settings.grpc_port, settings.http_port, settings.health_port) == (0, 0, 0)


@pytest.mark.parametrize(
    "url",
    [
        "postgres://osmi:s3cret@db.internal:5432/osmi?sslmode=require",
        "postgresql://osmi:s3cret@db.internal:5432/osmi?sslmode=require",
        "postgresql+psycopg://osmi:s3cret@db.internal:5432/osmi?sslmode=require",
        "POSTGRESQL://osmi:s3cret@db.internal:5432/osmi?sslmode=require",
    ],
)
def test_database_url_is_normalised(url: str) -> None:
    settings = load_settings({"DATABASE_URL": url})
    rest = "://osmi:s3cret@db.internal:5432/osmi?sslmode=require"
    assert settings.sqlalchemy_url == "postgresql+psycopg" + rest
    assert settings.libpq_url == "postgresql" + rest


def test_unix_socket_url_is_kept() -> None:
    settings = load_settings({"DATABASE_URL": "postgres:///osmi?host=/run/postgresql"})
    assert settings.libpq_url == "postgresql:///osmi?host=/run/postgresql"


@pytest.mark.parametrize(
    "url", ["mysql://u:s3cret@h/db", "postgresql+asyncpg://u:s3cret@h/db", "u:s3cret@h/db"]
)
def test_other_schemes_are_rejected_without_showing_the_password(url: str) -> None:
    message = config_error({"DATABASE_URL": url})
    assert message.startswith("invalid setting DATABASE_URL=")
    assert "s3cret" not in message


def test_password_is_never_printed() -> None:
    settings = load_settings({"DATABASE_URL": "postgres://osmi:s3cret@db:5432/osmi"})
    assert settings.redacted_database_url == "postgres://osmi:***@db:5432/osmi"
    for text in (repr(settings), str(settings), settings.model_dump_json()):
        assert "s3cret" not in text


@pytest.mark.parametrize(
    ("url", "redacted"),
    [
        ("postgresql://u@h/db", "postgresql://u@h/db"),
        ("postgresql://u:p@ss@h/db", "postgresql://u:***@h/db"),
        ("postgresql://u:pa/ss@h/db", "postgresql://u:***@h/db"),
        (
            "postgresql://h/db?PASSWORD=pw&sslmode=require",
            "postgresql://h/db?PASSWORD=***&sslmode=require",
        ),
        ("postgresql://h/db?user=u&password=pw", "postgresql://h/db?user=u&password=***"),
        ("postgresql:///db?host=/run/pg", "postgresql:///db?host=/run/pg"),
    ],
)
def test_redact_url(url: str, redacted: str) -> None:
    assert redact_url(url) == redacted


def test_production_logs_json_by_default() -> None:
    assert load_settings({"OSMI_ENV": "production"}).log_format == "json"
    assert load_settings({"OSMI_ENV": "staging"}).log_format == "console"
    explicit = load_settings({"OSMI_ENV": "production", "LOG_FORMAT": "console"})
    assert explicit.log_format == "console"


def test_log_level_is_case_insensitive() -> None:
    assert load_settings({"LOG_LEVEL": "WARNING"}).log_level == "warning"


def test_data_dir_expands_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert load_settings({"OSMI_DATA_DIR": "~/osmi"}).data_dir == tmp_path / "osmi"


def test_settings_are_frozen() -> None:
    settings = load_settings({})
    with pytest.raises(pydantic.ValidationError):
        settings.grpc_port = 1  # type: ignore[misc]


def test_every_field_has_an_env_name() -> None:
    assert set(ENV_NAMES) == set(Settings.model_fields)


@pytest.mark.parametrize("env", ["development", "staging", "production"])
def test_shipped_yaml_loads_and_documents_every_setting(env: str) -> None:
    settings = load_settings({"OSMI_ENV": env, "OSMI_CONFIG_DIR": str(REPO / "config")})
    assert settings.env == env
    assert settings.host == ("127.0.0.1" if env == "development" else "0.0.0.0")  # noqa: S104
    text = (REPO / "config" / f"{env}.yaml").read_text()
    for field, var in ENV_NAMES.items():
        if field != "env":
            assert re.search(rf"^#? ?{field}:", text, re.MULTILINE), field
        assert var in text, var


def test_env_example_documents_every_variable() -> None:
    text = (REPO / ".env.example").read_text()
    for var in [*ENV_NAMES.values(), "OSMI_CONFIG_DIR", "OSMI_ENV_FILE"]:
        assert re.search(rf"^# {var}=", text, re.MULTILINE), var


def test_the_default_data_dir_is_per_user_and_never_under_root_home(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    assert default_data_dir() == Path(platformdirs.user_data_dir("osmi"))
    monkeypatch.setattr("os.geteuid", lambda: 0)
    assert default_data_dir() == Path("/var/lib/osmi")
