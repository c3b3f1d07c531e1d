"""nexus-standin: start the stand-in on one or two loopback ports."""

from __future__ import annotations

import argparse
import socket
import sys
from pathlib import Path

from .config import DEFAULT_NEXUS_VERSION, InstanceConfig


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="nexus-standin",
        description="A local stand-in for Nexus Repository 3 (PyPI format and REST subset).",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True, help="port for the UI/REST API")
    parser.add_argument(
        "--repository-port", type=int, help="optional second port serving the same application"
    )
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument(
        "--admin-password-file",
        type=Path,
        help="initial admin password (default: random, in DATA_DIR/admin.password)",
    )
    parser.add_argument("--nexus-version", default=DEFAULT_NEXUS_VERSION)
    parser.add_argument(
        "--usage-limit-components",
        type=int,
        metavar="N",
        help="enforce the Community Edition component limit (off by default)",
    )
    parser.add_argument(
        "--usage-limit-requests-per-day",
        type=int,
        metavar="N",
        help="enforce the Community Edition daily request limit (off by default)",
    )
    return parser.parse_args(argv)


def bind(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from .light_import import install_bare_packages

    install_bare_packages()
    # Imported after the light model import, on purpose.
    import uvicorn

    from .app import create_app
    from .http_reason import ReasonPhraseH11Protocol

    config = InstanceConfig(
        data_dir=args.data_dir.resolve(),
        nexus_version=args.nexus_version,
        admin_password_file=args.admin_password_file,
        usage_limit_components=args.usage_limit_components,
        usage_limit_requests=args.usage_limit_requests_per_day,
    )
    ports = [args.port] + ([args.repository_port] if args.repository_port else [])
    try:
        sockets = [bind(args.host, port) for port in ports]
    except OSError as exc:
        print(f"nexus-standin: cannot listen on {args.host}: {exc}", file=sys.stderr)
        return 2
    app = create_app(config)
    server_config = uvicorn.Config(
        app,
        http=ReasonPhraseH11Protocol,
        lifespan="off",
        log_level="warning",
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=3,
    )
    app.state.runtime.app_log.info(
        "org.sonatype.nexus.bootstrap.jetty.JettyServer",
        f"Started Sonatype Nexus OSS {config.nexus_version} on "
        + ", ".join(f"{args.host}:{port}" for port in ports),
    )
    print(
        f"nexus-standin {config.nexus_version} listening on "
        + ", ".join(f"http://{args.host}:{port}/" for port in ports),
        flush=True,
    )
    uvicorn.Server(server_config).run(sockets=sockets)
    return 0


if __name__ == "__main__":
    sys.exit(main())
