"""Specification of LAN discovery: the TXT record, and advertise/discover on loopback."""

from __future__ import annotations

import os
import secrets

import pytest

from imbolc import __version__
from imbolc.net.codec import NetError
from imbolc.net.discovery import (
    SERVICE_TYPE,
    Advertiser,
    ServerInfo,
    discover,
    instance_name,
    parse_txt,
    txt_record,
)
from imbolc.net.messages import PROTOCOL_VERSION


def test_the_txt_record_carries_protocol_name_clients_and_version() -> None:
    record = txt_record("studio", 3)
    assert record == {
        "v": str(PROTOCOL_VERSION),
        "name": "studio",
        "clients": "3",
        "app": __version__,
    }
    as_bytes = {key.encode(): value.encode() for key, value in record.items()}
    assert parse_txt(as_bytes) == (PROTOCOL_VERSION, "studio", 3, __version__)


def test_a_record_without_a_protocol_version_is_not_an_imbolc_server() -> None:
    assert parse_txt({b"name": b"printer"}) is None
    assert parse_txt({b"v": b"one"}) is None


def test_instance_names_lose_dots_and_stay_within_63_bytes() -> None:
    assert instance_name("my.laptop", 9999) == f"my-laptop-9999.{SERVICE_TYPE}"
    label = instance_name("x" * 100, 9999).removesuffix(f".{SERVICE_TYPE}")
    assert len(label.encode()) == 63


def test_a_server_of_another_version_is_listed_but_marked_incompatible() -> None:
    old = ServerInfo("studio", "vm", 9999, ("10.0.0.2",), PROTOCOL_VERSION + 1, 2, "9.9")
    assert not old.compatible
    assert old.label() == "studio at 10.0.0.2:9999, 2 clients (imbolc 9.9, not compatible)"
    current = ServerInfo("studio", "vm", 9999, ("10.0.0.2",), PROTOCOL_VERSION, 1, __version__)
    assert current.label() == "studio at 10.0.0.2:9999, 1 client"


def test_a_server_advertised_on_loopback_is_discovered_with_its_client_count() -> None:
    name = f"loop-test-{secrets.token_hex(3)}"
    advertiser = Advertiser(name, 45678, addresses=["127.0.0.1"], interfaces=["127.0.0.1"])
    try:
        advertiser.start()
    except NetError as error:
        if os.environ.get("CI"):
            raise  # CI machines have multicast on loopback: a failure here is a real one
        pytest.skip(f"no multicast on loopback on this machine ({error})")
    try:
        advertiser.set_clients(2)
        # Registration probes for ~1 s before it answers; on a loaded machine it can take longer.
        mine: list[ServerInfo] = []
        for _attempt in range(5):
            mine = [s for s in discover(timeout=1.5, interfaces=["127.0.0.1"]) if s.name == name]
            if mine:
                break
    finally:
        advertiser.close()
    (server,) = mine
    assert (server.port, server.addresses, server.clients) == (45678, ("127.0.0.1",), 2)
    assert server.compatible
