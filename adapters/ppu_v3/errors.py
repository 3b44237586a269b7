"""The adapter's transport error tree, and the translation of aiohttp/asyncio errors into it.

    PpuTransportError
    ├── RetryableError            a resend of the same message may succeed
    │   ├── NotReachedError       never reached the provider (refused, DNS, TLS): nothing done,
    │   │                         safe to resend any operation
    │   ├── ConnectionLostError   sent, then the connection broke: outcome unknown
    │   └── ResponseTimeoutError  no answer within the operation's timeout: outcome unknown
    └── PermanentError            resending the same will not help
        ├── MalformedResponseError  not an HTTP answer we can read: outcome unknown
        └── ClientSetupError        we could not build the request (bad URL): nothing sent

Retryable does not mean "retry it": tenacity resends only lookups (with a fresh wire id) and
requests that never reached the provider, and never a new purchase (DESIGN.md rule 8).
"""

from __future__ import annotations

import asyncio

import aiohttp


class PpuTransportError(Exception):
    """Base of every transport error the adapter raises internally."""


class RetryableError(PpuTransportError):
    """A transient failure: the same message may succeed later."""


class PermanentError(PpuTransportError):
    """A failure that the same message will meet again."""


class NotReachedError(RetryableError):
    """The request never reached the provider."""


class ConnectionLostError(RetryableError):
    """The request was sent but the connection broke before a full answer."""


class ResponseTimeoutError(RetryableError):
    """No answer arrived within the operation's timeout."""


class MalformedResponseError(PermanentError):
    """The provider's answer is not HTTP we can read."""


class ClientSetupError(PermanentError):
    """The request could not be built or sent from our side."""


def _optional(
    name: str, target: type[PpuTransportError]
) -> tuple[tuple[type[BaseException], type[PpuTransportError]], ...]:
    """A translation for an aiohttp class that only newer aiohttp versions have."""
    source = getattr(aiohttp, name, None)
    return ((source, target),) if isinstance(source, type) else ()


# Order matters: the most specific aiohttp classes first (ClientConnectorError is a ClientOSError).
_TRANSLATIONS: tuple[tuple[type[BaseException], type[PpuTransportError]], ...] = (
    (aiohttp.ClientConnectorError, NotReachedError),
    (aiohttp.ClientProxyConnectionError, NotReachedError),
    (aiohttp.ConnectionTimeoutError, NotReachedError),
    (aiohttp.SocketTimeoutError, ResponseTimeoutError),
    (aiohttp.ServerTimeoutError, ResponseTimeoutError),
    (asyncio.TimeoutError, ResponseTimeoutError),
    (aiohttp.InvalidURL, ClientSetupError),
    *_optional("NonHttpUrlClientError", ClientSetupError),
    *_optional("UploadAbortedError", ConnectionLostError),
    (aiohttp.ClientConnectionResetError, ConnectionLostError),
    (aiohttp.ServerDisconnectedError, ConnectionLostError),
    (aiohttp.ClientPayloadError, ConnectionLostError),
    (aiohttp.ClientOSError, ConnectionLostError),
    (aiohttp.ClientResponseError, MalformedResponseError),
    (aiohttp.ServerFingerprintMismatch, NotReachedError),
    (aiohttp.ClientConnectionError, ConnectionLostError),
    (aiohttp.ClientError, MalformedResponseError),
    (ConnectionResetError, ConnectionLostError),
    (OSError, NotReachedError),
)


def translate(exc: BaseException) -> PpuTransportError:
    """Map a library error to our tree; unknown aiohttp errors count as a lost connection."""
    if isinstance(exc, PpuTransportError):
        return exc
    for source, target in _TRANSLATIONS:
        if isinstance(exc, source):
            return target(_describe(exc))
    return ConnectionLostError(_describe(exc))


def _describe(exc: BaseException) -> str:
    """Name and text of an error; some library errors cannot render themselves half-built."""
    try:
        text = str(exc)
    except Exception:  # a failing __str__ must not hide the error itself
        text = ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
