"""kombu's Redis transport for Celery with the crash on a lost Redis guarded (CELERY_BROKER_TRANSPORT).

With kombu 5.7, a worker holding unacknowledged messages (a task running, or a debounced score task waiting
for its countdown) when Redis goes away exits with `CRITICAL Unrecoverable error: AttributeError("'NoneType'
object has no attribute 'hostname'")`: while Celery reconnects it closes the old channel after its
connection was already released, and the channel's QoS tries to put the messages back through a connection
built from that released one. Reproduced every time by `make chaos` before this guard.

Here the QoS leaves them where they are instead: every delivered message is also in Redis' "unacked" set,
from which Redis hands it out again once the visibility timeout has passed (settings), and a task the pool
finishes meanwhile is acknowledged through the new connection as usual. Nothing is lost and the worker
stays up.
"""

from __future__ import annotations

import logging

from kombu.transport import redis

logger = logging.getLogger(__name__)


class QoS(redis.QoS):
    def restore_unacked(self, client=None):
        if client is None and self.channel.connection.client is None:
            logger.warning(
                "broker connection gone while closing a channel: %d unacknowledged message(s) stay in Redis' "
                "unacked set and are delivered again after the visibility timeout",
                len(self._delivered),
            )
            self._delivered.clear()
            return
        return super().restore_unacked(client)


class Channel(redis.Channel):
    QoS = QoS


class Transport(redis.Transport):
    Channel = Channel
