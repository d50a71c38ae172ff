"""Who is asking, from where: set by middleware, read by the audit actions."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_ip: ContextVar[str | None] = ContextVar("haven_ip", default=None)
_channel: ContextVar[str] = ContextVar("haven_channel", default="system")
_device: ContextVar[int | None] = ContextVar("haven_device", default=None)


def set_request(ip: str | None, channel: str) -> None:
    _ip.set(ip)
    _channel.set(channel)


def ip() -> str | None:
    return _ip.get()


def channel() -> str:
    return _channel.get()


def device() -> int | None:
    return _device.get()


@contextmanager
def from_device(device_id: int) -> Iterator[None]:
    """Everything recorded inside names the device the work was done on."""
    token = _device.set(device_id)
    try:
        yield
    finally:
        _device.reset(token)
