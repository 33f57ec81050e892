"""Drives the AdminClient of confluent-kafka-python 1.7.0 over librdkafka 2.0.2 (Debian
python3-confluent-kafka) for test/integration/admin-confluent.test.ts.

Usage: admin_confluent.py '<json request>'; prints one JSON document. The request's "op" picks the
operation. Every wait is bounded; a failed future is reported as its Kafka error code (0: success).
"""
import json
import sys

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient, ConfigResource, NewPartitions, NewTopic

TIMEOUT_S = 15
ADMIN = None


def admin_client(req):
    """One client per run, kept referenced: librdkafka fails the pending futures of a destroyed client (_DESTROY)."""
    global ADMIN
    if ADMIN is None:
        ADMIN = AdminClient({'bootstrap.servers': req['bootstrap']})
    return ADMIN


def outcome(future):
    """(error code, result) of an admin future; librdkafka wraps the broker's code in a KafkaError."""
    try:
        return 0, future.result(timeout=TIMEOUT_S)
    except KafkaException as exc:
        err = exc.args[0] if exc.args else None
        return (err.code() if isinstance(err, KafkaError) else -1), None


def entry_json(entry):
    return {
        'value': entry.value,
        'source': entry.source.value if hasattr(entry.source, 'value') else entry.source,
        'read_only': entry.is_read_only,
        'default': entry.is_default,
        'sensitive': entry.is_sensitive,
        'synonyms': [{'name': s.name, 'value': s.value, 'source': s.source.value if hasattr(s.source, 'value') else s.source}
                     for s in entry.synonyms.values()],
    }


def create_topics(req):
    topics = [NewTopic(t['name'], num_partitions=t['partitions'], replication_factor=1, config=t.get('configs', {}))
              for t in req['topics']]
    futures = admin_client(req).create_topics(topics, operation_timeout=TIMEOUT_S)
    return {name: outcome(f)[0] for name, f in futures.items()}


def describe_configs(req):
    resource = ConfigResource(req['type'], req['name'])
    futures = admin_client(req).describe_configs([resource], request_timeout=TIMEOUT_S)
    code, entries = outcome(next(iter(futures.values())))
    return {'error': code, 'configs': {} if entries is None else {name: entry_json(e) for name, e in entries.items()}}


def alter_configs(req):
    resource = ConfigResource(req['type'], req['name'], set_config=req['configs'])
    futures = admin_client(req).alter_configs([resource], request_timeout=TIMEOUT_S, validate_only=req.get('validate_only', False))
    return {'error': outcome(next(iter(futures.values())))[0]}


def create_partitions(req):
    futures = admin_client(req).create_partitions([NewPartitions(req['topic'], req['count'])], operation_timeout=TIMEOUT_S,
                                                  validate_only=req.get('validate_only', False))
    return {'error': outcome(futures[req['topic']])[0]}


def partitions(req):
    metadata = admin_client(req).list_topics(topic=req['topic'], timeout=TIMEOUT_S)
    return {'partitions': sorted(metadata.topics[req['topic']].partitions)}


OPS = {f.__name__: f for f in (create_topics, describe_configs, alter_configs, create_partitions, partitions)}

if __name__ == '__main__':
    request = json.loads(sys.argv[1])
    print(json.dumps(OPS[request['op']](request)))
