"""Drives confluent-kafka-python 1.7.0 over librdkafka 2.0.2 (Debian python3-confluent-kafka) for
test/integration/confluent-kafka.test.ts.

Usage: confluent_client.py '<json request>'; prints one JSON document. The request's "op" picks the
operation; keys and values travel as UTF-8 strings (None stays null). Every wait is bounded.
"""
import json
import sys
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic

TIMEOUT_S = 15


def enc(text):
    return None if text is None else text.encode('utf-8')


def dec(raw):
    return None if raw is None else raw.decode('utf-8')


def error_code(exc):
    """The Kafka error code of a failed admin future (0 for success)."""
    if exc is None:
        return 0
    err = exc.args[0] if isinstance(exc, KafkaException) and exc.args else None
    return err.code() if isinstance(err, KafkaError) else -1


def client_config(req):
    """The request's librdkafka settings; with 'oauth_token', an oauth_cb that hands librdkafka that
    token (claiming it valid for an hour, whatever its exp says, so the broker judges it)."""
    config = dict(req.get('config', {}))
    if 'oauth_token' in req:
        config['oauth_cb'] = lambda _config: (req['oauth_token'], time.time() + 3600)
    return config


def produce(req):
    producer = Producer({'bootstrap.servers': req['bootstrap'], 'linger.ms': 5, **client_config(req)})
    reports = [None] * len(req['records'])

    def reporter(index):
        def on_delivery(err, msg):
            reports[index] = {'error': None if err is None else err.str(), 'partition': msg.partition(), 'offset': msg.offset()}
        return on_delivery

    for i, r in enumerate(req['records']):
        extra = {'partition': r['partition']} if r.get('partition') is not None else {}
        if r.get('timestamp') is not None:
            extra['timestamp'] = r['timestamp']
        producer.produce(req['topic'], value=enc(r.get('value')), key=enc(r.get('key')), on_delivery=reporter(i), **extra)
    left = producer.flush(TIMEOUT_S)
    return {'undelivered': left, 'reports': reports}


def produce_volume(req):
    """Produces `count` values of `bytes` each as client `clientId` and reports the throttle times
    (seconds) librdkafka's throttle_cb gave, from the brokers' throttle_time_ms."""
    throttles = []
    producer = Producer({'bootstrap.servers': req['bootstrap'], 'client.id': req['clientId'], 'linger.ms': 0,
                         'throttle_cb': lambda event: throttles.append(event.throttle_time), **req.get('config', {})})
    started = time.monotonic()
    for _ in range(req['count']):
        producer.produce(req['topic'], value=b'v' * req['bytes'])
        producer.poll(0)
    left = producer.flush(TIMEOUT_S)
    return {'undelivered': left, 'seconds': time.monotonic() - started, 'throttles': throttles}


def new_consumer(req):
    # The constructor insists on a group.id; the tests never subscribe, they assign(), so no group is joined.
    return Consumer({'bootstrap.servers': req['bootstrap'], 'group.id': 'sluice-assign-only',
                     'enable.auto.commit': False, 'fetch.wait.max.ms': 200, **client_config(req)})


def consume(req):
    consumer = new_consumer(req)
    consumer.assign([TopicPartition(req['topic'], p, OFFSET_BEGINNING) for p in req['partitions']])
    records = []
    deadline = time.monotonic() + req.get('timeout_s', TIMEOUT_S)
    while len(records) < req['count'] and time.monotonic() < deadline:
        msg = consumer.poll(0.5)
        if msg is None or (msg.error() is not None and msg.error().code() == KafkaError._PARTITION_EOF):
            continue
        if msg.error() is not None:
            raise KafkaException(msg.error())
        records.append({'partition': msg.partition(), 'offset': msg.offset(), 'key': dec(msg.key()),
                        'value': dec(msg.value()), 'timestamp': msg.timestamp()[1]})
    consumer.close()
    return records


def offsets(req):
    consumer = new_consumer(req)
    watermarks = {str(p): list(consumer.get_watermark_offsets(TopicPartition(req['topic'], p), timeout=TIMEOUT_S))
                  for p in req['partitions']}
    found = consumer.offsets_for_times([TopicPartition(req['topic'], p, req['timestamp']) for p in req['partitions']],
                                       timeout=TIMEOUT_S)
    consumer.close()
    return {'watermarks': watermarks, 'for_times': {str(tp.partition): tp.offset for tp in found}}


def admin_client(req):
    return AdminClient({'bootstrap.servers': req['bootstrap'], **client_config(req)})


def wait_all(futures):
    codes = {}
    for name, future in futures.items():
        try:
            future.result(timeout=TIMEOUT_S)
            codes[name] = 0
        except KafkaException as exc:
            codes[name] = error_code(exc)
    return codes


def create_topics(req):
    topics = [NewTopic(t['name'], num_partitions=t['partitions'], replication_factor=1, config=t.get('configs', {}))
              for t in req['topics']]
    admin = admin_client(req)  # must outlive its futures: destroying it fails them with _DESTROY
    return {'errors': wait_all(admin.create_topics(topics, operation_timeout=TIMEOUT_S,
                                                   validate_only=req.get('validate_only', False)))}


def delete_topics(req):
    admin = admin_client(req)
    return {'errors': wait_all(admin.delete_topics(req['topics'], operation_timeout=TIMEOUT_S))}


def describe_configs(req):
    admin = admin_client(req)
    futures = admin.describe_configs([ConfigResource('topic', req['topic'])])
    entries = next(iter(futures.values())).result(timeout=TIMEOUT_S)
    return {'configs': {name: entry.value for name, entry in entries.items()}}


def list_topics(req):
    metadata = admin_client(req).list_topics(timeout=TIMEOUT_S)
    return {
        'brokers': [{'id': b.id, 'host': b.host, 'port': b.port} for b in metadata.brokers.values()],
        'topics': {name: {'error': None if t.error is None else t.error.code(), 'partitions': sorted(t.partitions)}
                   for name, t in metadata.topics.items()},
    }


OPS = {f.__name__: f for f in (produce, produce_volume, consume, offsets, create_topics, delete_topics, describe_configs, list_topics)}

if __name__ == '__main__':
    request = json.loads(sys.argv[1])
    print(json.dumps(OPS[request['op']](request)))
