"""kombu's Redis transport for Celery with the crash on a lost Redis guarded (CELERY_BROKER_TRANSPORT).

With kombu 5.7, a worker that holds messages when Redis goes away (a task running, or a debounced score task
waiting for its countdown) exits with `CRITICAL Unrecoverable error: AttributeError("'NoneType' object has
no attribute 'hostname'")` (or `... 'client'`). Celery reconnects with a new channel, but the old channel is
still used afterwards: closing it puts its unacknowledged messages back, and a task the pool finishes later
is acknowledged through it. Both build a Redis client from the channel's connection, which is gone by then.
`make chaos` hit both every time before this guard.

Here a channel remembers the connection parameters it was opened with, and a channel whose connection is gone
uses them for such late calls: the messages are put back, or the finished task acknowledged, in the same
Redis. Should Redis still be down at that moment, the messages simply stay in Redis' "unacked" set, from
which Redis hands them out again after the visibility timeout (settings), and the worker stays up.
"""

from __future__ import annotations

import logging

from kombu.transport import redis
from redis import exceptions as redis_errors

logger = logging.getLogger(__name__)


class QoS(redis.QoS):
    def restore_unacked(self, client=None):
        try:
            return super().restore_unacked(client)
        except (redis_errors.ConnectionError, redis_errors.TimeoutError) as exc:
            logger.warning(
                "%d unacknowledged message(s) not put back (%s); Redis delivers them again after the "
                "visibility timeout",
                len(self._delivered),
                exc,
            )
            self._delivered.clear()


class Channel(redis.Channel):
    QoS = QoS
    _opened_with: dict | None = None  # the (synchronous) connection parameters, kept for a late call

    def _connparams(self, asynchronous=False):
        if self.connection is None or self.connection.client is None:
            if asynchronous or self._opened_with is None:
                raise redis_errors.ConnectionError("the broker connection of this channel is closed")
            return dict(self._opened_with)
        params = super()._connparams(asynchronous=asynchronous)
        if not asynchronous:
            self._opened_with = dict(params)
        return params


class Transport(redis.Transport):
    Channel = Channel
