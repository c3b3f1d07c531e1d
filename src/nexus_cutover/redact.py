"""Masking of passwords and tokens in anything that is printed, logged or written."""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "****"

# user:password@ in any URL, whatever the secret is.
_USERINFO = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<user>[^:/@\s]+):(?P<pw>[^@/\s]+)@")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Return `text` with URL passwords and each known secret replaced by ****."""
    masked = _USERINFO.sub(lambda m: f"{m['scheme']}{m['user']}:{MASK}@", text)
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        masked = masked.replace(secret, MASK)
    return masked
