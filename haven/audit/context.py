"""Who is asking, from where: set by middleware, read by the audit actions."""

from contextvars import ContextVar

_ip: ContextVar[str | None] = ContextVar("haven_ip", default=None)
_channel: ContextVar[str] = ContextVar("haven_channel", default="system")


def set_request(ip: str | None, channel: str) -> None:
    _ip.set(ip)
    _channel.set(channel)


def ip() -> str | None:
    return _ip.get()


def channel() -> str:
    return _channel.get()
