"""A scripted aiosmtpd server on 127.0.0.1 for every sending test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.send.smtp_server import ScriptedHandler, smtp_server


@pytest.fixture
def handler() -> ScriptedHandler:
    """How the server answers; a test scripts it before sending."""
    return ScriptedHandler()


@pytest.fixture
def port(handler: ScriptedHandler) -> Iterator[int]:
    """The port of a running server that answers through ``handler``."""
    with smtp_server(handler) as controller:
        yield controller.port
