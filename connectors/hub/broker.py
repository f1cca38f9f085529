"""The Dramatiq broker a Crossdock process uses, from `CROSSDOCK_BROKER_URL`.

Unset: the embedded default, an in-memory broker whose worker threads run in
this process. It holds nothing durable, and needs not: the job table is the
record, and the sweeper re-sends whatever a stopped process left behind.
`redis://...`: Redis; `amqp://...`: RabbitMQ (`crossdock worker` processes).
"""
from __future__ import annotations

from dramatiq.broker import Broker
from dramatiq.brokers.stub import StubBroker

QUEUE = "crossdock_hub"
ACTOR_NAME = "crossdock_hub_run_job"


class BrokerURLError(ValueError):
    pass


def make_broker(url: str | None) -> Broker:
    if not url:
        broker = StubBroker()
        broker.emit_after("process_boot")
        return broker
    if url.startswith(("redis://", "rediss://", "unix://")):
        from dramatiq.brokers.redis import RedisBroker
        return RedisBroker(url=url)
    if url.startswith(("amqp://", "amqps://")):
        try:
            from dramatiq.brokers.rabbitmq import RabbitmqBroker
        except ImportError as exc:  # pika is the extra dramatiq[rabbitmq]
            raise BrokerURLError(f"RabbitMQ broker needs the 'pika' package: {exc}") from None
        return RabbitmqBroker(url=url)
    raise BrokerURLError(f"CROSSDOCK_BROKER_URL {url!r}: expected redis://, rediss:// or amqp:// "
                         "(or leave it unset for the embedded broker)")


def describe(url: str | None) -> str:
    if not url:
        return "embedded (worker threads in this process)"
    scheme, _, rest = url.partition("://")
    host = rest.rsplit("@", 1)[-1]  # never show credentials
    return f"{scheme}://{host}"


PING_TIMEOUT_SECONDS = 2.0


def ping(url: str | None) -> None:
    """Raises when the broker does not answer within PING_TIMEOUT_SECONDS (a
    fresh connection, not the workers'): Redis PING, a RabbitMQ connection.
    The embedded broker lives in this process and always answers."""
    if not url:
        return
    if url.startswith(("amqp://", "amqps://")):
        import pika

        params = pika.URLParameters(url)
        params.socket_timeout = params.stack_timeout = PING_TIMEOUT_SECONDS
        params.blocked_connection_timeout = PING_TIMEOUT_SECONDS
        params.connection_attempts, params.retry_delay = 1, 0
        pika.BlockingConnection(params).close()
        return
    import redis

    client = redis.Redis.from_url(url, socket_timeout=PING_TIMEOUT_SECONDS,
                                  socket_connect_timeout=PING_TIMEOUT_SECONDS)
    try:
        client.ping()
    finally:
        client.close()
