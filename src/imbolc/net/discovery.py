"""LAN discovery with mDNS/DNS-SD (zeroconf): servers advertise, ``join --discover`` browses.

Service type ``_imbolc._tcp.local.``; TXT keys ``v`` (protocol version), ``name`` (server
name), ``clients`` (connected clients, updated as it changes) and ``app`` (imbolc version).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from imbolc import __version__
from imbolc.net.codec import NetError
from imbolc.net.messages import PROTOCOL_VERSION

SERVICE_TYPE = "_imbolc._tcp.local."
MAX_INSTANCE_NAME = 63


class ServerInfo(msgspec.Struct, frozen=True):
    """One server found on the LAN."""

    name: str
    host: str
    port: int
    addresses: tuple[str, ...]
    protocol: int
    clients: int
    app_version: str = ""

    @property
    def compatible(self) -> bool:
        """Whether this client can join it (same protocol and imbolc version)."""
        return self.protocol == PROTOCOL_VERSION and self.app_version in ("", __version__)

    def label(self) -> str:
        """One line for a picker: name, address, clients."""
        where = f"{self.addresses[0] if self.addresses else self.host}:{self.port}"
        people = f"{self.clients} client{'s' if self.clients != 1 else ''}"
        note = "" if self.compatible else f" (imbolc {self.app_version or '?'}, not compatible)"
        return f"{self.name} at {where}, {people}{note}"


def txt_record(name: str, clients: int) -> dict[str, str]:
    """The TXT properties a server advertises."""
    return {
        "v": str(PROTOCOL_VERSION),
        "name": name,
        "clients": str(clients),
        "app": __version__,
    }


def _text(value: bytes | str | None) -> str:
    if value is None:
        return ""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def parse_txt(properties: Mapping[Any, Any]) -> tuple[int, str, int, str] | None:
    """(protocol, name, clients, app version) from TXT properties; None if not an imbolc server."""
    texts = {_text(key): _text(value) for key, value in properties.items()}
    try:
        protocol = int(texts["v"])
        clients = int(texts.get("clients", "0") or 0)
    except (KeyError, ValueError):
        return None
    return protocol, texts.get("name", ""), clients, texts.get("app", "")


def instance_name(name: str, port: int) -> str:
    """The DNS-SD instance name: "<name>-<port>", dots removed, at most 63 bytes."""
    label = f"{name.replace('.', '-')}-{port}"
    while len(label.encode()) > MAX_INSTANCE_NAME:
        label = label[:-1]
    return f"{label}.{SERVICE_TYPE}"


def local_addresses() -> list[str]:
    """This machine's IPv4 addresses other than loopback (loopback alone if none)."""
    from zeroconf import get_all_addresses  # type: ignore[attr-defined]

    found = [a for a in get_all_addresses() if not a.startswith("127.")]
    return found or ["127.0.0.1"]


class Advertiser:
    """Announces one server on the LAN and keeps its client count current."""

    def __init__(
        self,
        name: str,
        port: int,
        *,
        addresses: Sequence[str] | None = None,
        interfaces: Sequence[str] | None = None,
    ) -> None:
        self.name = name
        self.port = port
        self.addresses = list(addresses) if addresses is not None else local_addresses()
        self._interfaces = list(interfaces) if interfaces is not None else None
        self._zeroconf: Any = None
        self._info: Any = None
        self._clients = 0
        self._lock = threading.Lock()

    def _service_info(self, clients: int) -> Any:
        from zeroconf import ServiceInfo

        host = socket.gethostname().split(".")[0] or "imbolc"
        return ServiceInfo(
            SERVICE_TYPE,
            instance_name(self.name, self.port),
            port=self.port,
            properties=txt_record(self.name, clients),
            server=f"{host}.local.",
            addresses=[socket.inet_aton(a) for a in self.addresses],
        )

    def start(self) -> None:
        """Register the service (blocks about 2 s while mDNS probes for the name)."""
        from zeroconf import InterfaceChoice, IPVersion, Zeroconf

        with self._lock:
            interfaces: Any = self._interfaces or InterfaceChoice.All
            try:
                self._zeroconf = Zeroconf(interfaces=interfaces, ip_version=IPVersion.V4Only)
                self._info = self._service_info(self._clients)
                self._zeroconf.register_service(self._info, allow_name_change=True)
            except Exception as error:  # a LAN without multicast must not stop the server
                self._close_locked()
                raise NetError(f"cannot advertise on the LAN: {error}") from None

    def set_clients(self, clients: int) -> None:
        """Publish a new client count."""
        with self._lock:
            if clients == self._clients:
                return
            self._clients = clients
            if self._zeroconf is None or self._info is None:
                return
            name = self._info.name
            info = self._service_info(clients)
            if info.name != name:
                info = self._rename(info, name)
            self._info = info
            self._zeroconf.update_service(info)

    def _rename(self, info: Any, name: str) -> Any:
        from zeroconf import ServiceInfo

        return ServiceInfo(
            info.type,
            name,
            port=info.port,
            properties=txt_record(self.name, self._clients),
            server=info.server,
            addresses=info.addresses,
        )

    def close(self) -> None:
        """Withdraw the service."""
        with self._lock:
            self._close_locked()

    def _close_locked(self) -> None:
        zc, info = self._zeroconf, self._info
        self._zeroconf = self._info = None
        if zc is None:
            return
        try:
            if info is not None:
                zc.unregister_service(info)
        finally:
            zc.close()


def advertise(
    name: str,
    port: int,
    *,
    addresses: Sequence[str] | None = None,
    interfaces: Sequence[str] | None = None,
) -> Advertiser:
    """Start announcing a server; call ``close()`` on the result to withdraw it."""
    advertiser = Advertiser(name, port, addresses=addresses, interfaces=interfaces)
    advertiser.start()
    return advertiser


def discover(timeout: float = 3.0, *, interfaces: Sequence[str] | None = None) -> list[ServerInfo]:
    """Browse the LAN for ``timeout`` seconds; the imbolc servers found, by name."""
    from zeroconf import InterfaceChoice, IPVersion, ServiceBrowser, ServiceListener, Zeroconf

    names: list[str] = []

    class Listener(ServiceListener):
        def add_service(self, zc: Any, type_: str, name: str) -> None:
            names.append(name)

        def update_service(self, zc: Any, type_: str, name: str) -> None:
            return None

        def remove_service(self, zc: Any, type_: str, name: str) -> None:
            return None

    chosen: Any = list(interfaces) if interfaces is not None else InterfaceChoice.All
    try:
        zc = Zeroconf(interfaces=chosen, ip_version=IPVersion.V4Only)
    except OSError as error:
        raise NetError(f"cannot browse the LAN: {error}") from None
    found: dict[str, ServerInfo] = {}
    try:
        browser = ServiceBrowser(zc, SERVICE_TYPE, Listener())
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            time.sleep(0.05)
        browser.cancel()
        for name in dict.fromkeys(names):
            info = zc.get_service_info(SERVICE_TYPE, name, timeout=1000)
            server = None if info is None else _server_info(info)
            if server is not None:
                found[name] = server
    finally:
        zc.close()
    return sorted(found.values(), key=lambda s: (s.name, s.port))


def _server_info(info: Any) -> ServerInfo | None:
    from zeroconf import IPVersion

    parsed = parse_txt(info.properties or {})
    if parsed is None or info.port is None:
        return None
    protocol, name, clients, app = parsed
    host = (info.server or "").rstrip(".")
    addresses = tuple(info.parsed_addresses(IPVersion.V4Only))
    return ServerInfo(name or host, host, int(info.port), addresses, protocol, clients, app)
