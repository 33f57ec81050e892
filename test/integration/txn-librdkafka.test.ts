// librdkafka transactions (confluent-kafka-python 1.7.0 over librdkafka 2.0.2) against a real broker
// (issue #5): a consume-transform-produce loop with init_transactions, begin_transaction,
// send_offsets_to_transaction and commit/abort cycles; read_committed consumers see exactly the
// committed outputs, read_uncommitted ones the aborted outputs too, and the group's committed offset is
// the last committed transaction's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBroker, type RunningBroker } from '../helpers/broker.js'
import { has, pythonCommand, runOk } from '../helpers/clients.js'

const SCRIPT = `
import json, sys, time
from confluent_kafka import Consumer, Producer, TopicPartition
req = json.loads(sys.argv[1])
boot = req['bootstrap']
TIMEOUT = 15

def read(topic, isolation, count):
    c = Consumer({'bootstrap.servers': boot, 'group.id': 'reader-' + isolation, 'enable.auto.commit': False,
                  'isolation.level': isolation, 'fetch.wait.max.ms': 100})
    c.assign([TopicPartition(topic, 0, 0)])
    seen, deadline = [], time.time() + TIMEOUT
    while len(seen) < count and time.time() < deadline:
        m = c.poll(0.2)
        if m is not None and m.error() is None:
            seen.append(m.value().decode())
    c.close()
    return seen

src = Producer({'bootstrap.servers': boot})
for v in ['a', 'b', 'c', 'd']:
    src.produce('rk-in', value=v.encode())
src.flush(TIMEOUT)

consumer = Consumer({'bootstrap.servers': boot, 'group.id': 'rk-group', 'enable.auto.commit': False,
                     'isolation.level': 'read_committed', 'fetch.wait.max.ms': 100})
consumer.assign([TopicPartition('rk-in', 0, 0)])
inputs, deadline = [], time.time() + TIMEOUT
while len(inputs) < 4 and time.time() < deadline:
    m = consumer.poll(0.2)
    if m is not None and m.error() is None:
        inputs.append(m)

producer = Producer({'bootstrap.servers': boot, 'transactional.id': 'rk-txn', 'linger.ms': 5})
producer.init_transactions(TIMEOUT)
for recs, commit in [(inputs[0:2], True), (inputs[2:4], False), (inputs[2:4], True)]:
    producer.begin_transaction()
    for m in recs:
        producer.produce('rk-out', value=m.value().upper() + (b'' if commit else b'-aborted'))
    producer.send_offsets_to_transaction([TopicPartition('rk-in', 0, recs[-1].offset() + 1)], consumer.consumer_group_metadata(), TIMEOUT)
    producer.flush(TIMEOUT)  # abort_transaction drops what is still queued; the aborted records must reach the log
    if commit:
        producer.commit_transaction(TIMEOUT)
    else:
        producer.abort_transaction(TIMEOUT)
consumer.close()

offsets = Consumer({'bootstrap.servers': boot, 'group.id': 'rk-group'}).committed([TopicPartition('rk-in', 0)], TIMEOUT)
print(json.dumps({
    'inputs': len(inputs),
    'committed': read('rk-out', 'read_committed', 4),
    'uncommitted': read('rk-out', 'read_uncommitted', 6),
    'groupOffset': offsets[0].offset
}))
`

interface Outcome { inputs: number, committed: string[], uncommitted: string[], groupOffset: number }

// As librdkafka's test 0103: a read_committed consumer keeps fetching all partitions while
// transactions write to every one of them and abort. The shard appends to several partitions in one
// turn and the first answer wakes the consumer's Fetch before the others arrive; the stable offset
// must not let it read a transaction the broker does not yet know to be open.
const RACE_SCRIPT = `
import json, sys, time
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic
boot = json.loads(sys.argv[1])['bootstrap']
TIMEOUT, PARTS, TXNS, PER_TXN = 15, 4, 12, 200
admin = AdminClient({'bootstrap.servers': boot})
admin.create_topics([NewTopic('rk-race', PARTS, 1)])['rk-race'].result(TIMEOUT)
c = Consumer({'bootstrap.servers': boot, 'group.id': 'rk-race', 'isolation.level': 'read_committed',
              'enable.auto.commit': False, 'fetch.wait.max.ms': 500})
c.assign([TopicPartition('rk-race', i, 0) for i in range(PARTS)])
c.poll(1)
p = Producer({'bootstrap.servers': boot, 'transactional.id': 'rk-race', 'linger.ms': 0})
p.init_transactions(TIMEOUT)
seen = []
for t in range(TXNS):
    commit = t % 3 == 2
    p.begin_transaction()
    for i in range(PER_TXN):
        p.produce('rk-race', value=('%s-%d-%d' % ('committed' if commit else 'aborted', t, i)).encode(), partition=i % PARTS)
        p.poll(0)
    p.flush(TIMEOUT)
    p.commit_transaction(TIMEOUT) if commit else p.abort_transaction(TIMEOUT)
    m = c.poll(0.05)
    if m is not None and m.error() is None:
        seen.append(m.value().decode())
want, deadline = PER_TXN * (TXNS // 3), time.time() + TIMEOUT
while sum(v.startswith('committed') for v in seen) < want and time.time() < deadline:
    m = c.poll(0.2)
    if m is not None and m.error() is None:
        seen.append(m.value().decode())
c.close()
print(json.dumps({'committed': sum(v.startswith('committed') for v in seen), 'aborted': [v for v in seen if v.startswith('aborted')][:5], 'want': want}))
`

describe.skipIf(!has.confluentKafka)('librdkafka transactions (confluent-kafka 1.7.0)', () => {
  let broker: RunningBroker

  beforeAll(async () => {
    broker = await startBroker({ settings: { 'num.partitions': 1 } })
  })

  afterAll(async () => {
    await broker?.stop()
  })

  it('a consume-transform-produce loop commits and aborts; read_committed sees only committed outputs', async () => {
    const stdout = await runOk(pythonCommand('confluent_kafka'), ['-c', SCRIPT, JSON.stringify({ bootstrap: broker.bootstrap })], { timeoutMs: 60_000 })
    const outcome = JSON.parse(stdout) as Outcome
    expect(outcome.inputs).toBe(4)
    expect(outcome.committed).toEqual(['A', 'B', 'C', 'D'])
    expect(outcome.uncommitted).toEqual(['A', 'B', 'C-aborted', 'D-aborted', 'C', 'D'])
    expect(outcome.groupOffset).toBe(4)
  })

  it('a read_committed consumer fetching while transactions on every partition abort never sees their records', async () => {
    const stdout = await runOk(pythonCommand('confluent_kafka'), ['-c', RACE_SCRIPT, JSON.stringify({ bootstrap: broker.bootstrap })], { timeoutMs: 90_000 })
    const outcome = JSON.parse(stdout) as { committed: number, aborted: string[], want: number }
    expect(outcome.aborted).toEqual([])
    expect(outcome.committed).toBe(outcome.want)
  })
})
