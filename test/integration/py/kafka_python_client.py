"""Drives kafka-python 2.0.2 (Debian python3-kafka) for test/integration/kafka-python.test.ts.

Usage: kafka_python_client.py '<json request>'; prints one JSON document. The request's "op" picks
the operation; keys and values travel as UTF-8 strings (None stays null). Every wait is bounded.
"""
import json
import sys
import time

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType, NewTopic
from kafka.errors import KafkaError
from kafka.oauth.abstract import AbstractTokenProvider

TIMEOUT_MS = 15000


def enc(text):
    return None if text is None else text.encode('utf-8')


def dec(raw):
    return None if raw is None else raw.decode('utf-8')


class TokenProvider(AbstractTokenProvider):
    """OAUTHBEARER: hands kafka-python the token the request carries."""
    def __init__(self, token):
        super().__init__()
        self._token = token

    def token(self):
        return self._token


def sasl(req):
    """The security settings: SASL when the request has 'sasl': {mechanism, username, password} or
    {mechanism: 'OAUTHBEARER', token}, TLS when it has 'ssl': {cafile[, certfile, keyfile]}; both make
    SASL_SSL."""
    settings = {}
    if 'sasl' in req and req['sasl']['mechanism'] == 'OAUTHBEARER':
        settings.update({'security_protocol': 'SASL_PLAINTEXT', 'sasl_mechanism': 'OAUTHBEARER',
                         'sasl_oauth_token_provider': TokenProvider(req['sasl']['token'])})
    elif 'sasl' in req:
        settings.update({'security_protocol': 'SASL_PLAINTEXT', 'sasl_mechanism': req['sasl']['mechanism'],
                         'sasl_plain_username': req['sasl']['username'], 'sasl_plain_password': req['sasl']['password']})
    if 'ssl' in req:
        settings['security_protocol'] = 'SASL_SSL' if 'sasl' in req else 'SSL'
        settings.update({'ssl_' + name: path for name, path in req['ssl'].items()})
    return settings


def produce(req):
    producer = KafkaProducer(bootstrap_servers=req['bootstrap'], acks=req.get('acks', 1), **sasl(req),
                             compression_type=req.get('compression'), linger_ms=5,
                             request_timeout_ms=TIMEOUT_MS, max_block_ms=TIMEOUT_MS)
    futures = [producer.send(req['topic'], key=enc(r.get('key')), value=enc(r.get('value')),
                             partition=r.get('partition'), timestamp_ms=r.get('timestamp'))
               for r in req['records']]
    producer.flush(timeout=TIMEOUT_MS / 1000)
    sent = [f.get(timeout=TIMEOUT_MS / 1000) for f in futures]
    producer.close(timeout=5)
    return [{'partition': m.partition, 'offset': m.offset} for m in sent]


def new_consumer(req):
    # No group_id: the consumer neither joins a group nor commits; assign() decides what it reads.
    return KafkaConsumer(bootstrap_servers=req['bootstrap'], group_id=None, enable_auto_commit=False, **sasl(req),
                         fetch_max_wait_ms=200, request_timeout_ms=TIMEOUT_MS + 5000,
                         api_version_auto_timeout_ms=TIMEOUT_MS)


def consume(req):
    consumer = new_consumer(req)
    partitions = [TopicPartition(req['topic'], p) for p in req['partitions']]
    consumer.assign(partitions)
    consumer.seek_to_beginning(*partitions)
    records = []
    deadline = time.monotonic() + req.get('timeout_ms', TIMEOUT_MS) / 1000
    while len(records) < req['count'] and time.monotonic() < deadline:
        for batch in consumer.poll(timeout_ms=500).values():
            records.extend({'partition': r.partition, 'offset': r.offset, 'key': dec(r.key), 'value': dec(r.value),
                            'timestamp': r.timestamp, 'headers': [[k, dec(v)] for k, v in r.headers]}
                           for r in batch)
    consumer.close()
    return records


def offsets(req):
    consumer = new_consumer(req)
    partitions = [TopicPartition(req['topic'], p) for p in req['partitions']]
    beginning = consumer.beginning_offsets(partitions)
    end = consumer.end_offsets(partitions)
    for_times = consumer.offsets_for_times({tp: req['timestamp'] for tp in partitions})
    consumer.close()
    return {
        'beginning': {str(tp.partition): off for tp, off in beginning.items()},
        'end': {str(tp.partition): off for tp, off in end.items()},
        'for_times': {str(tp.partition): None if found is None else {'offset': found.offset, 'timestamp': found.timestamp}
                      for tp, found in for_times.items()},
    }


def admin_client(req):
    return KafkaAdminClient(bootstrap_servers=req['bootstrap'], request_timeout_ms=TIMEOUT_MS,
                            api_version_auto_timeout_ms=TIMEOUT_MS)


# KafkaAdminClient raises the first topic error of a response instead of returning it, so each topic
# goes in a request of its own and its outcome is the error code raised (0 when none).
def per_topic(req, names, call):
    admin = admin_client(req)
    codes = {}
    for name in names:
        try:
            call(admin, name)
            codes[name] = 0
        except KafkaError as exc:
            codes[name] = exc.errno
    admin.close()
    return {'errors': codes}


def create_topics(req):
    specs = {t['name']: NewTopic(t['name'], t['partitions'], 1, topic_configs=t.get('configs', {})) for t in req['topics']}
    return per_topic(req, list(specs), lambda admin, name: admin.create_topics(
        [specs[name]], timeout_ms=TIMEOUT_MS, validate_only=req.get('validate_only', False)))


def delete_topics(req):
    return per_topic(req, req['topics'], lambda admin, name: admin.delete_topics([name], timeout_ms=TIMEOUT_MS))


def list_topics(req):
    admin = admin_client(req)
    topics = admin.list_topics()
    described = admin.describe_topics(req.get('describe'))
    admin.close()
    return {'topics': topics,
            'described': {t['topic']: {'error_code': t['error_code'], 'partitions': sorted(p['partition'] for p in t['partitions'])}
                          for t in described}}


def describe_configs(req):
    admin = admin_client(req)
    resources = [ConfigResource(ConfigResourceType.TOPIC, req['topic'])]
    responses = admin.describe_configs(resources)
    admin.close()
    configs = {}
    for response in responses:
        for resource in response.to_object()['resources']:
            for entry in resource['config_entries']:
                configs[entry['config_names']] = entry['config_value']
    return {'configs': configs}


OPS = {f.__name__: f for f in (produce, consume, offsets, create_topics, delete_topics, list_topics, describe_configs)}

if __name__ == '__main__':
    request = json.loads(sys.argv[1])
    print(json.dumps(OPS[request['op']](request)))
