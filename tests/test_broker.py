"""kotan.broker: the Redis transport's QoS leaves unacknowledged messages in Redis when the connection is gone,
instead of the AttributeError that made kombu's worker exit (the real outage is in .ci/chaos.py)."""

from unittest import mock

from kombu.transport import redis

from kotan.broker import QoS, Transport


def _qos(connection_client):
    channel = mock.Mock()
    channel.connection.client = connection_client
    qos = QoS.__new__(QoS)  # without a live channel: only restore_unacked is exercised
    qos.channel = channel
    qos._delivered = {"tag-1": object(), "tag-2": object()}
    return qos


def test_a_released_connection_leaves_the_messages_in_redis():
    qos = _qos(None)
    qos.restore_unacked()  # kombu's own would raise AttributeError ('NoneType' ... 'hostname')
    assert qos._delivered == {}
    qos.channel.conn_or_acquire.assert_not_called()


def test_a_live_connection_restores_as_kombu_does():
    qos = _qos(mock.Mock())
    with mock.patch.object(redis.QoS, "restore_unacked") as restore:
        qos.restore_unacked()
    restore.assert_called_once()


def test_the_transport_uses_the_guarded_qos():
    assert Transport.Channel.QoS is QoS
    assert issubclass(Transport, redis.Transport)
