"""The bad-input corpus: configuration, credentials, network, TLS, distribution files and
project trees. Each case is a folder's files, a command line, an environment, the exit code
it must end with, and the phrases its one-line message must hold ({placeholders} are the
servers of `conftest.World`)."""

from __future__ import annotations

from dataclasses import dataclass, field

# A configuration for the real servers, by URL (the password comes from the environment).
SERVERS = """\
backend = "external"
[nexus]
url = "{nexus}"
repository_url = "{repo}"
user = "admin"
[pypiserver]
url = "{pypi}"
user = "uploader"
"""
ADMIN = {"NEXUS_PASSWORD": "{admin_pw}"}
BOTH = {"NEXUS_PASSWORD": "{admin_pw}", "PYPISERVER_PASSWORD": "{pypi_pw}"}
WHEEL = "demo_pkg-1.0-py3-none-any.whl"


def nexus_at(url: str, extra: str = "") -> str:
    """A configuration whose Nexus is `url` (REST and repositories), no pypiserver."""
    return (
        f'backend = "external"\n[nexus]\nurl = "{url}"\nrepository_url = "{url}"\n'
        f'user = "admin"\n{extra}[pypiserver]\nurl = ""\n'
    )


@dataclass(frozen=True)
class Case:
    name: str
    args: tuple[str, ...]
    phrases: tuple[str, ...]
    files: dict[str, str | bytes] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    code: int = 2
    # Where the message is: "err" (exactly one line on standard error) or "out" (a step
    # that ran and says what it could not do; its summary on standard output).
    stream: str = "err"


CONFIGURATION = [
    Case(
        "toml-invalid",
        ("status",),
        ("cutover.toml", "not valid TOML"),
        {"cutover.toml": "[nexus\n"},
    ),
    Case(
        "config-missing",
        ("--config", "nope.toml", "status"),
        ("nope.toml", "configuration file not found"),
    ),
    Case(
        "config-is-a-folder",
        ("--config", "conf", "status"),
        ("conf", "configuration file not found"),
        {"conf/keep": ""},
    ),
    Case(
        "password-in-toml",
        ("status",),
        ("cutover.toml", "'nexus.password' holds a secret"),
        {"cutover.toml": '[nexus]\npassword = "Hunter-in-toml-2"\n'},
    ),
    Case(
        "url-with-credentials",
        ("status",),
        ("nexus.url", "URL holds credentials"),
        {"cutover.toml": '[nexus]\nurl = "http://admin:Hunter-in-url-2@nexus:8081"\n'},
    ),
    Case(
        "write-policy",
        ("status",),
        ("expected.hosted.write_policy",),
        {"cutover.toml": '[expected.hosted]\nwrite_policy = "sometimes"\n'},
    ),
    Case(
        "backend-unknown",
        ("status",),
        ("backend", "cloud"),
        {"cutover.toml": 'backend = "cloud"\n'},
    ),
    Case(
        "unknown-key", ("status",), ("nexus.colour",), {"cutover.toml": '[nexus]\ncolour = "red"\n'}
    ),
    Case(
        "url-not-http",
        ("status",),
        ("nexus.url", "ftp://nexus"),
        {"cutover.toml": '[nexus]\nurl = "ftp://nexus"\n'},
    ),
    Case(
        "env-config-missing",
        ("status",),
        ("missing.toml", "NEXUS_CUTOVER_CONFIG"),
        env={"NEXUS_CUTOVER_CONFIG": "missing.toml"},
    ),
    Case(
        "config-not-utf8",
        ("status",),
        ("cutover.toml", "not UTF-8"),
        {"cutover.toml": b"\xff\xfe[nexus]\n"},
    ),
    Case(
        "timeout-not-a-number",
        ("status",),
        ("nexus.timeout",),
        {"cutover.toml": '[nexus]\ntimeout = "soon"\n'},
    ),
    Case(
        "env-boolean",
        ("status",),
        ("read_only", "NEXUS_CUTOVER_READ_ONLY"),
        env={"NEXUS_CUTOVER_READ_ONLY": "maybe"},
    ),
    Case("unknown-check-id", ("run", "--checks", "NOPE-1"), ("NOPE-1", "unknown check ID")),
    Case("unknown-phase", ("run", "--phase", "bogus"), ("--phase", "bogus")),
    Case("unknown-option", ("migrate", "upload", "--nope"), ("--nope",)),
    Case(
        "init-over-a-file",
        ("init", "--yes"),
        ("cutover.toml exists", "--force"),
        {"cutover.toml": "# mine\n"},
    ),
    Case("state-dir-is-a-file", ("--state-dir", "state", "up"), ("state",), {"state": "a file\n"}),
    Case(
        "workers-zero",
        ("migrate", "upload", "--workers", "0", "--from", "dists"),
        ("workers must be at least 1",),
        {"cutover.toml": SERVERS, f"dists/{WHEEL}": "not really a wheel\n"},
        ADMIN,
    ),
]

CREDENTIALS = [
    Case(
        "no-nexus-password",
        ("migrate", "provision"),
        ("no password given for Nexus user 'admin' at {nexus}", "NEXUS_PASSWORD"),
        {"cutover.toml": SERVERS},
    ),
    Case(
        "empty-nexus-password",
        ("migrate", "provision"),
        ("NEXUS_PASSWORD is set but empty", "'admin' at {nexus}"),
        {"cutover.toml": SERVERS},
        {"NEXUS_PASSWORD": ""},
    ),
    Case(
        "wrong-nexus-password",
        ("migrate", "provision", "--dry-run"),
        ("{nexus} refused user 'admin' (401)",),
        {"cutover.toml": SERVERS},
        {"NEXUS_PASSWORD": "Wrong-Password-77"},
    ),
    Case(
        "wrong-nexus-user",
        ("migrate", "upload", "--from", "dists"),
        ("{nexus} refused user 'nobody' (401)",),
        {
            "cutover.toml": SERVERS.replace('user = "admin"', 'user = "nobody"'),
            f"dists/{WHEEL}": "x",
        },
        ADMIN,
    ),
    Case(
        "password-file-missing",
        ("status",),
        ("nope.txt", "cannot read the password file of Nexus user 'admin'"),
        {"cutover.toml": '[nexus]\npassword_file = "nope.txt"\n'},
    ),
    Case(
        "password-file-empty",
        ("status",),
        ("empty.txt", "is empty"),
        {"cutover.toml": '[nexus]\npassword_file = "empty.txt"\n', "empty.txt": "\n"},
    ),
    Case(
        "empty-pypiserver-password",
        ("status",),
        ("PYPISERVER_PASSWORD is set but empty", "pypiserver user"),
        env={"PYPISERVER_PASSWORD": ""},
    ),
    Case(
        "wrong-pypiserver-password",
        ("migrate", "upload", "--from", "{pypi}"),
        ("pypiserver at {pypi} refused user 'uploader' (403)",),
        {"cutover.toml": SERVERS},
        {"NEXUS_PASSWORD": "{admin_pw}", "PYPISERVER_PASSWORD": "Wrong-Old-Password-8"},
    ),
    Case(
        "no-pypiserver-password",
        ("migrate", "upload", "--from", "{pypi}"),
        ("no password given for pypiserver user 'uploader' at {pypi}",),
        {"cutover.toml": SERVERS},
        ADMIN,
    ),
    Case(
        "pypiserver-password-without-user",
        ("migrate", "upload", "--from", "{pypi}"),
        ("pypiserver password is given for {pypi} but no pypiserver.user",),
        {"cutover.toml": SERVERS.replace('user = "uploader"\n', "")},
        BOTH,
    ),
    Case(
        "run-with-a-wrong-password",
        ("run", "--phase", "health", "--report-dir", "report"),
        ("{nexus} refused user 'admin' (401)",),
        {"cutover.toml": SERVERS},
        {"NEXUS_PASSWORD": "Wrong-Password-78"},
    ),
    Case(
        "from-url-with-credentials",
        ("migrate", "upload", "--from", "http://uploader:Secret-In-From-9@127.0.0.1:1/"),
        ("--from", "URL holds credentials"),
        {"cutover.toml": SERVERS},
        ADMIN,
    ),
]

NETWORK = [
    Case(
        "nexus-dead-port",
        ("migrate", "provision"),
        ("cannot reach {dead}/service/rest/v1/status/check",),
        {"cutover.toml": nexus_at("{dead}")},
        ADMIN,
    ),
    Case(
        "nexus-hangs-up",
        ("migrate", "provision"),
        ("{hangup}/service/rest/v1/status/check", "the connection was closed before an answer"),
        {"cutover.toml": nexus_at("{hangup}")},
        ADMIN,
    ),
    Case(
        "nexus-url-is-pypiserver",
        ("migrate", "provision"),
        ("{pypi}/service/rest/v1/status/check", "404"),
        {"cutover.toml": nexus_at("{pypi}")},
        ADMIN,
    ),
    Case(
        "pypiserver-dead-before-run",
        ("run", "--report-dir", "report"),
        ("cannot reach {dead}/simple/",),
        {"cutover.toml": SERVERS.replace('url = "{pypi}"', 'url = "{dead}"')},
        BOTH,
    ),
    Case(
        "upload-from-dead-server",
        ("migrate", "upload", "--from", "{dead}"),
        ("cannot reach {dead}/packages/",),
        {"cutover.toml": SERVERS},
        BOTH,
    ),
    Case(
        "run-nexus-dead",
        ("run", "--phase", "health", "--report-dir", "report"),
        ("cannot reach {dead}",),
        {"cutover.toml": nexus_at("{dead}")},
        ADMIN,
    ),
    Case(
        "hosted-missing",
        ("migrate", "upload", "--from", "dists"),
        ("hosted repository 'no-such-hosted' does not exist on {nexus}", "migrate provision"),
        {
            "cutover.toml": SERVERS + '[expected.hosted]\nname = "no-such-hosted"\n',
            f"dists/{WHEEL}": "x",
        },
        ADMIN,
    ),
    Case(
        "upload-from-a-url-that-is-not-pypiserver",
        ("migrate", "upload", "--from", "{nexus}"),
        ("{nexus}/packages/", "404"),
        {"cutover.toml": SERVERS},
        BOTH,
    ),
]

TLS = [
    Case(
        "tls-untrusted",
        ("migrate", "provision"),
        (
            "{tls}/service/rest/v1/status/check",
            "TLS failure",
        ),
        {"cutover.toml": nexus_at("{tls}")},
        ADMIN,
    ),
    Case(
        "tls-other-ca",
        ("migrate", "provision"),
        (
            "{tls}",
            "TLS failure",
        ),
        {"cutover.toml": nexus_at("{tls}", 'ca_bundle = "{other_ca}"\n')},
        ADMIN,
    ),
    Case(
        "tls-ca-bundle-missing",
        ("migrate", "provision"),
        ("nexus.ca_bundle", "missing-ca.pem", "CA certificate file not found"),
        {"cutover.toml": nexus_at("{tls}", 'ca_bundle = "missing-ca.pem"\n')},
        ADMIN,
    ),
    Case(
        "tls-ca-bundle-not-pem",
        ("migrate", "provision"),
        ("{tls}", "TLS failure", "garbage-ca.pem"),
        {
            "cutover.toml": nexus_at("{tls}", 'ca_bundle = "garbage-ca.pem"\n'),
            "garbage-ca.pem": "not a certificate\n",
        },
        ADMIN,
    ),
    Case(
        "https-to-a-plain-http-server",
        ("migrate", "provision"),
        (
            "https://127.0.0.1:{nexus_port}",
            "TLS failure",
        ),
        {"cutover.toml": nexus_at("https://127.0.0.1:{nexus_port}")},
        ADMIN,
    ),
    Case(
        "http-to-a-tls-server",
        ("migrate", "provision"),
        ("the connection was closed before an answer",),
        {"cutover.toml": nexus_at("{tls_as_http}")},
        ADMIN,
    ),
]

DISTRIBUTIONS = [
    Case(
        "backup-folder-missing",
        ("migrate", "backup", "--packages", "nowhere"),
        ("nowhere: packages folder not found",),
        {"cutover.toml": SERVERS},
    ),
    Case(
        "backup-folder-is-a-file",
        ("migrate", "backup", "--packages", "afile"),
        ("afile: packages folder not found",),
        {"cutover.toml": SERVERS, "afile": "x"},
    ),
    Case(
        "backup-folder-empty",
        ("migrate", "backup", "--packages", "empty", "--archive", "b.tar.gz"),
        ("empty: the packages folder holds no files",),
        {"cutover.toml": SERVERS, "empty/": ""},
    ),
    Case(
        "backup-archive-below-a-file",
        ("migrate", "backup", "--packages", "dists", "--archive", "afile/b.tar.gz"),
        ("afile/b.tar.gz",),
        {"cutover.toml": SERVERS, "afile": "x", f"dists/{WHEEL}": "x"},
    ),
    Case(
        "upload-from-empty-folder",
        ("migrate", "upload", "--from", "empty"),
        ("empty: the source holds no distribution files",),
        {"cutover.toml": SERVERS, "empty/README": "no packages here\n"},
        ADMIN,
    ),
    Case(
        "upload-from-missing-folder",
        ("migrate", "upload", "--from", "nowhere"),
        ("nowhere: packages folder not found",),
        {"cutover.toml": SERVERS},
        ADMIN,
    ),
    Case(
        "upload-a-corrupt-wheel",
        ("migrate", "upload", "--from", "dists", "--no-progress"),
        (WHEEL, "parity NOT verified"),
        {"cutover.toml": SERVERS, f"dists/{WHEEL}": "this is not a zip file\n"},
        ADMIN,
        code=1,
        stream="out",
    ),
    Case(
        "rollback-archive-missing",
        ("migrate", "rollback", "--archive", "nope.tar.gz"),
        ("nope.tar.gz: backup archive not found",),
        {"cutover.toml": SERVERS},
    ),
    Case(
        "decommission-report-garbage",
        ("migrate", "decommission", "--report", "report.json"),
        ("report.json", "not a valid report", "decommission refused"),
        {"cutover.toml": SERVERS, "report.json": "{not json"},
        code=1,
    ),
    Case(
        "decommission-force-without-reason",
        ("migrate", "decommission", "--force"),
        ("--force needs --reason",),
        {"cutover.toml": SERVERS},
    ),
]

PROJECT_TREES = [
    Case("scan-missing", ("scan", "nowhere"), ("nowhere: no such file or folder",)),
    Case(
        "configure-missing",
        ("migrate", "configure", "nowhere"),
        ("nowhere: no such file or folder",),
        {"cutover.toml": SERVERS},
    ),
    Case(
        "configure-nothing-configured",
        ("migrate", "configure"),
        ("nothing to configure", "clients.projects"),
        {"cutover.toml": SERVERS},
    ),
    Case(
        "configure-requirements-not-utf8",
        ("migrate", "configure", "project"),
        ("project/requirements.txt", "not UTF-8"),
        {"cutover.toml": SERVERS, "project/requirements.txt": b"-i http://\xff\xfe:8888/simple\n"},
        code=1,
        stream="out",
    ),
    Case(
        "configure-pypirc-not-ini",
        ("migrate", "configure", "project"),
        ("project/.pypirc", "before any [section]"),
        {"cutover.toml": SERVERS, "project/.pypirc": "repository = http://localhost:8888/\n"},
        code=1,
        stream="out",
    ),
    Case(
        "configure-unknown-kind",
        ("migrate", "configure", "notes.md"),
        ("notes.md", "not a file kind the scanner knows"),
        {"cutover.toml": SERVERS, "notes.md": "pip install -i http://localhost:8888/simple x\n"},
        code=1,
        stream="out",
    ),
]

CASES = CONFIGURATION + CREDENTIALS + NETWORK + TLS + DISTRIBUTIONS + PROJECT_TREES
