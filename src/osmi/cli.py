"""``osmi``: the one entry point (serve, migrate, seed)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

import structlog

from osmi import __version__
from osmi.config import ConfigError, Settings, load_settings
from osmi.log import configure_logging


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="osmi", description="Osmi ticketing backend")
    parser.add_argument("--version", action="version", version=f"osmi {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve gRPC, REST and health endpoints")
    serve.add_argument(
        "--migrate", action="store_true", help="apply pending migrations before serving"
    )
    commands.add_parser("migrate", help="apply database migrations up to head")
    commands.add_parser("seed", help="load demo data (organizer, venues, events, tiers)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"osmi: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, settings.log_format)
    command = {"serve": _serve, "migrate": _migrate, "seed": _seed}[args.command]
    return command(settings, args)


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvloop

    from osmi.adapters.postgres import migrate
    from osmi.bootstrap import database_url, serve

    with database_url(settings) as url:
        if args.migrate:
            revision = migrate.upgrade(url)
            structlog.get_logger("osmi").info("database.migrated", revision=revision)
        uvloop.run(serve(settings, url))
    return 0


def _migrate(settings: Settings, args: argparse.Namespace) -> int:
    from osmi.adapters.postgres import migrate
    from osmi.bootstrap import database_url

    with database_url(settings) as url:
        revision = migrate.upgrade(url)
    structlog.get_logger("osmi").info("database.migrated", revision=revision)
    return 0


def _seed(settings: Settings, args: argparse.Namespace) -> int:
    from osmi.adapters.postgres import migrate
    from osmi.bootstrap import database_url
    from osmi.seed import load_demo_data

    with database_url(settings) as url:
        migrate.upgrade(url)
        summary = asyncio.run(load_demo_data(url))
    structlog.get_logger("osmi").info("database.seeded", **summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
