"""Masking of passwords and tokens in anything that is printed, logged or written."""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "****"
MIN_SECRET = 4

# user:password@ in any URL, whatever the secret is.
_USERINFO = re.compile(
    r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<user>[^:/@\s]+):(?P<pw>[^@/\s]+)@"
)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Return `text` with URL passwords and each known secret replaced by ****."""
    masked = _USERINFO.sub(lambda m: f"{m['scheme']}{m['user']}:{MASK}@", text)
    # Very short "secrets" would mangle ordinary words; messages never carry passwords by
    # construction, so this pass is a second line of defence for real ones.
    for secret in sorted({s for s in secrets if len(s) >= MIN_SECRET}, key=len, reverse=True):
        masked = masked.replace(secret, MASK)
    return masked
