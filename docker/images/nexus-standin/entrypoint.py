"""Start nexus-standin the way the sonatype/nexus3 image starts Nexus.

Reads what a user of the official image configures: `application-host` and `application-port`
in $NEXUS_DATA/etc/nexus.properties (defaults 0.0.0.0 and 8081), NEXUS_SECURITY_RANDOMPASSWORD
(`false` -> admin123) and NEXUS_SECURITY_INITIAL_PASSWORD. NEXUS_STANDIN_HOST, NEXUS_STANDIN_PORT
and NEXUS_STANDIN_REPOSITORY_PORT override the properties (the guide's 28081/28083 pair).
Nexus prints its application log on the console, which `docker logs` shows; the stand-in writes
it to log/nexus.log only, so this copies that file to standard output as it grows.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ADMIN123 = "admin123"
# Nexus's own defaults (etc/nexus-default.properties); a container listens on all its interfaces.
DEFAULT_HOST = "0.0.0.0"  # noqa: S104
DEFAULT_PORT = "8081"


def properties(path: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    if not path.is_file():
        return found
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith(("#", "!")) and "=" in line:
            key, value = line.split("=", 1)
            found[key.strip()] = value.strip()
    return found


def initial_password() -> str | None:
    explicit = os.environ.get("NEXUS_SECURITY_INITIAL_PASSWORD")
    if explicit:
        return explicit
    if os.environ.get("NEXUS_SECURITY_RANDOMPASSWORD", "true").strip().lower() == "false":
        return ADMIN123
    return None


def command(data: Path, argv: list[str]) -> list[str]:
    props = properties(data / "etc" / "nexus.properties")
    host = os.environ.get("NEXUS_STANDIN_HOST") or props.get("application-host", DEFAULT_HOST)
    port = os.environ.get("NEXUS_STANDIN_PORT") or props.get("application-port", DEFAULT_PORT)
    args = [
        sys.executable,
        "-m",
        "nexus_standin",
        "--host",
        host,
        "--port",
        port,
        "--data-dir",
        str(data),
    ]
    repository_port = os.environ.get("NEXUS_STANDIN_REPOSITORY_PORT")
    if repository_port:
        args += ["--repository-port", repository_port]
    version = os.environ.get("NEXUS_STANDIN_VERSION")
    if version:
        args += ["--nexus-version", version]
    password = initial_password()
    if password is not None:
        # Outside the data volume: only the stand-in's database keeps the password.
        handle, name = tempfile.mkstemp(prefix="admin-password-")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(password + "\n")
        args += ["--admin-password-file", name]
    return args + argv


def follow(log: Path, child: subprocess.Popen[bytes]) -> None:
    """Copy the log to stdout from its start, until the child has exited and all is read."""
    while not log.exists() and child.poll() is None:
        time.sleep(0.1)
    if not log.exists():
        return
    with log.open("rb") as stream:
        while True:
            chunk = stream.read(65536)
            if chunk:
                sys.stdout.buffer.write(chunk)
                sys.stdout.buffer.flush()
            elif child.poll() is not None:
                return
            else:
                time.sleep(0.2)


def main() -> int:
    data = Path(os.environ.get("NEXUS_DATA", "/nexus-data"))
    child = subprocess.Popen(command(data, sys.argv[1:]))
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda number, _frame: child.send_signal(number))
    copier = threading.Thread(target=follow, args=(data / "log" / "nexus.log", child), daemon=True)
    copier.start()
    status = child.wait()
    copier.join(timeout=5)
    return status


if __name__ == "__main__":
    sys.exit(main())
