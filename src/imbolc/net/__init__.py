"""imbolc.net: LAN collaboration, server-authoritative and operation based.

``run_server`` / ``start_server_thread`` serve a ``Store``; ``connect`` joins one and
returns a ``ClientStore`` replica; ``discover`` and ``advertise`` find servers on the LAN.
The protocol lives in sans-IO cores (``ServerSession``, ``ClientSession``); see
docs/protocol.md.
"""

from __future__ import annotations

from imbolc.net.auth import load_secret
from imbolc.net.client_session import ClientSession
from imbolc.net.client_store import ClientStore, JoinRefused, RemoteEngine, RemoteHistory, connect
from imbolc.net.codec import Codec, FrameTooLarge, NetError, ProtocolError, WireName
from imbolc.net.config import DEFAULT_PORT, ClientConfig, ServerConfig, parse_address
from imbolc.net.discovery import SERVICE_TYPE, Advertiser, ServerInfo, advertise, discover
from imbolc.net.messages import PROTOCOL_VERSION
from imbolc.net.server import ServerHandle, run_server, start_server_thread
from imbolc.net.server_session import ServerSession

__all__ = [
    "DEFAULT_PORT",
    "PROTOCOL_VERSION",
    "SERVICE_TYPE",
    "Advertiser",
    "ClientConfig",
    "ClientSession",
    "ClientStore",
    "Codec",
    "FrameTooLarge",
    "JoinRefused",
    "NetError",
    "ProtocolError",
    "RemoteEngine",
    "RemoteHistory",
    "ServerConfig",
    "ServerHandle",
    "ServerInfo",
    "ServerSession",
    "WireName",
    "advertise",
    "connect",
    "discover",
    "load_secret",
    "parse_address",
    "run_server",
    "start_server_thread",
]
