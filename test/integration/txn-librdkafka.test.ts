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
})
