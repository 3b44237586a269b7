"""Every aiohttp/asyncio error is translated into the adapter's retryable/permanent tree."""

from __future__ import annotations

import inspect

import aiohttp
import pytest

from adapters.ppu_v3 import errors
from adapters.ppu_v3.errors import (
    ClientSetupError,
    ConnectionLostError,
    MalformedResponseError,
    NotReachedError,
    PermanentError,
    PpuTransportError,
    ResponseTimeoutError,
    RetryableError,
    translate,
)

EXPECTED: dict[str, type[PpuTransportError]] = {
    "ClientError": MalformedResponseError,
    "ClientConnectionError": ConnectionLostError,
    "ClientConnectionResetError": ConnectionLostError,
    "ClientConnectorError": NotReachedError,
    "ClientConnectorCertificateError": NotReachedError,
    "ClientConnectorDNSError": NotReachedError,
    "ClientConnectorSSLError": NotReachedError,
    "UnixClientConnectorError": NotReachedError,
    "ClientSSLError": NotReachedError,
    "ClientProxyConnectionError": NotReachedError,
    "ClientOSError": ConnectionLostError,
    "ClientPayloadError": ConnectionLostError,
    "ClientResponseError": MalformedResponseError,
    "ClientHttpProxyError": MalformedResponseError,
    "ContentTypeError": MalformedResponseError,
    "TooManyRedirects": MalformedResponseError,
    "WSServerHandshakeError": MalformedResponseError,
    "WSMessageTypeError": MalformedResponseError,
    "ServerConnectionError": ConnectionLostError,
    "ServerDisconnectedError": ConnectionLostError,
    "ServerFingerprintMismatch": NotReachedError,
    "ServerTimeoutError": ResponseTimeoutError,
    "ConnectionTimeoutError": NotReachedError,
    "SocketTimeoutError": ResponseTimeoutError,
    "InvalidURL": ClientSetupError,
    "InvalidUrlClientError": ClientSetupError,
    "InvalidUrlRedirectClientError": ClientSetupError,
    "NonHttpUrlClientError": ClientSetupError,
    "NonHttpUrlRedirectClientError": ClientSetupError,
    "RedirectClientError": MalformedResponseError,
    "UploadAbortedError": ConnectionLostError,
}


def _all_subclasses(base: type[BaseException]) -> set[type[BaseException]]:
    """Every subclass of a class, recursively."""
    found: set[type[BaseException]] = set()
    for sub in base.__subclasses__():
        found |= {sub, *_all_subclasses(sub)}
    return found


AIOHTTP_ERRORS = _all_subclasses(aiohttp.ClientError) | {aiohttp.ClientError}


def _instance(cls: type[BaseException]) -> BaseException:
    """An instance of an exception class without running its (varied) constructor."""
    return cls.__new__(cls)


def test_every_aiohttp_error_class_has_an_expected_translation() -> None:
    """A new aiohttp error class fails this test until it is classified on purpose."""
    names = {c.__name__ for c in AIOHTTP_ERRORS}
    assert names <= set(EXPECTED), sorted(names - set(EXPECTED))


@pytest.mark.parametrize(
    "cls",
    sorted(AIOHTTP_ERRORS, key=str),
)
def test_aiohttp_errors_translate_as_expected(cls: type[BaseException]) -> None:
    """Each aiohttp error maps to the class the table names."""
    translated = translate(_instance(cls))
    assert type(translated) is EXPECTED[cls.__name__]


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (TimeoutError(), ResponseTimeoutError),
        (ConnectionResetError(), ConnectionLostError),
        (ConnectionRefusedError(), NotReachedError),
        (RuntimeError("odd"), ConnectionLostError),
    ],
)
def test_builtin_errors_translate(exc: BaseException, expected: type[PpuTransportError]) -> None:
    """Built-in errors too; anything unforeseen is a lost connection (outcome unknown)."""
    assert type(translate(exc)) is expected


def test_every_error_in_the_tree_is_retryable_or_permanent() -> None:
    """The tree has two branches and every leaf sits under one of them."""
    leaves = [
        cls
        for _, cls in inspect.getmembers(errors, inspect.isclass)
        if issubclass(cls, PpuTransportError)
        and cls not in (PpuTransportError, RetryableError, PermanentError)
    ]
    assert len(leaves) == 5
    for cls in leaves:
        assert issubclass(cls, RetryableError) != issubclass(cls, PermanentError), cls


def test_translation_keeps_our_own_errors() -> None:
    """An error already in the tree passes through unchanged."""
    error = NotReachedError("refused")
    assert translate(error) is error
