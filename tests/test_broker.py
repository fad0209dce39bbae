"""kotan.infra.broker: a Redis channel whose connection is gone still reaches Redis with the parameters it was opened
with (putting messages back, acknowledging a task finished late), and a Redis that is down leaves the messages
in its unacked set, instead of the AttributeError that made kombu's worker exit. The real outage is in
.ci/chaos.py (make chaos)."""

from unittest import mock

import pytest
from kombu.transport import redis
from redis import exceptions as redis_errors

from kotan.infra.broker import Channel, QoS, Transport


def _channel(connection):
    channel = Channel.__new__(Channel)  # without connecting: only the parameter logic is exercised
    channel.connection = connection
    return channel


def test_a_channel_keeps_its_parameters_for_calls_after_its_connection_is_gone():
    live = mock.Mock()
    channel = _channel(live)
    with mock.patch.object(redis.Channel, "_connparams", return_value={"host": "127.0.0.1", "db": 3}):
        assert channel._connparams() == {"host": "127.0.0.1", "db": 3}
    channel.connection.client = None  # kombu released the connection (kombu's own raised AttributeError)
    assert channel._connparams() == {"host": "127.0.0.1", "db": 3}
    channel.connection = None  # the channel closed too
    assert channel._connparams() == {"host": "127.0.0.1", "db": 3}
    with pytest.raises(redis_errors.ConnectionError):
        channel._connparams(asynchronous=True)  # the event loop's connection is never rebuilt this way


def test_a_channel_that_never_connected_raises_a_connection_error():
    with pytest.raises(redis_errors.ConnectionError):
        _channel(None)._connparams()


def test_messages_stay_in_redis_when_it_is_down_at_close():
    qos = QoS.__new__(QoS)
    qos._delivered = {"tag-1": object(), "tag-2": object()}
    refused = redis_errors.ConnectionError("refused")
    with mock.patch.object(redis.QoS, "restore_unacked", side_effect=refused):
        qos.restore_unacked()  # logged, not raised: Redis delivers them again after the visibility timeout
    assert qos._delivered == {}


def test_the_transport_uses_the_guarded_channel():
    assert Transport.Channel is Channel
    assert Channel.QoS is QoS
    assert issubclass(Transport, redis.Transport)
