"""Start-up of the tests' throwaway brokers: a RabbitMQ node (tests/rabbitmq_server.py:
its own epmd, ports and folders) until it answers an AMQP handshake, and a
redis-server until it answers PING, each started and killed --runs times.
What the cluster tests (tests/integration/test_production_cluster.py) pay
before their first order. Not part of the test verdict.

    .venv/bin/python bench/broker_start.py [--runs 5]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def timed_starts(make, runs: int) -> list[float]:
    seconds = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="crossdock-broker-") as folder:
            server = make(Path(folder))
            started = time.monotonic()
            try:
                server.start()
                seconds.append(time.monotonic() - started)
            finally:
                server.kill()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from tests.hub_processes import RedisServer
    from tests.rabbitmq_server import RabbitServer

    print(f"{'broker':<10} {'runs':>4} {'p50 s':>7} {'max s':>7}")
    for name, make in (("redis", RedisServer), ("rabbitmq", RabbitServer)):
        seconds = timed_starts(make, args.runs)
        print(f"{name:<10} {len(seconds):>4} {statistics.median(seconds):7.2f} "
              f"{max(seconds):7.2f}")


if __name__ == "__main__":
    main()
