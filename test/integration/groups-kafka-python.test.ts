// kafka-python 2.0.2 (Debian python3-kafka) consumer groups against a real broker. It speaks fixed
// old versions (FindCoordinator v0, JoinGroup v2, SyncGroup/Heartbeat/LeaveGroup v1, OffsetCommit v2,
// OffsetFetch v1) and must never see MEMBER_ID_REQUIRED. Three members in one process (a thread
// each) share a 6-partition topic with kafka-python's default range assignor; a leaver's partitions
// move to the others; a new set of members resumes from the committed offsets after a broker
// restart. Issue #4.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Admin, type Producer } from 'kafkajs'
import { closeKafkajs, connectKafkajs } from '../helpers/kafkajs-fixture.js'
import { startBroker, type RunningBroker } from '../helpers/broker.js'
import { has, pythonCommand, runOk } from '../helpers/clients.js'

// Run as `python3 - '<json>'` with this program on stdin; prints one JSON document.
const GROUP_SCRIPT = String.raw`
import json, sys, threading, time
from kafka import KafkaConsumer, KafkaProducer
from kafka.errors import CommitFailedError

req = json.loads(sys.argv[1])
WAIT_S = 25
records, errors = [], []
assigned, stop = {}, {}
lock = threading.Lock()

def member(i, consumer):
    while not stop[i].is_set():
        batches = consumer.poll(timeout_ms=100)
        assigned[i] = sorted(tp.partition for tp in consumer.assignment())
        got = [[i, tp.partition, r.offset, r.value.decode()] for tp, rs in batches.items() for r in rs]
        if got:
            with lock:
                records.extend(got)
            try:
                consumer.commit()
            except CommitFailedError as e:
                errors.append(str(e))

def start(i):
    consumer = KafkaConsumer(req['topic'], bootstrap_servers=req['bootstrap'], group_id=req['group'], client_id='kp-%d' % i,
                             auto_offset_reset='earliest', enable_auto_commit=False, session_timeout_ms=6000,
                             heartbeat_interval_ms=300, max_poll_interval_ms=10000, fetch_max_wait_ms=100)
    stop[i], assigned[i] = threading.Event(), []
    thread = threading.Thread(target=member, args=(i, consumer), daemon=True)
    thread.start()
    return i, consumer, thread

def close(m):
    i, consumer, thread = m
    stop[i].set()
    thread.join()
    consumer.close()

def wait_until(what, cond):
    deadline = time.time() + WAIT_S
    while not cond():
        if time.time() > deadline:
            raise SystemExit('timed out waiting until %s; assigned %s' % (what, json.dumps(assigned)))
        time.sleep(0.05)

def owns_all(ms):
    owned = [p for m in ms for p in assigned[m[0]]]
    return sorted(owned) == list(range(req['partitions'])) and all(assigned[m[0]] for m in ms)

def produce(prefix, count):
    producer = KafkaProducer(bootstrap_servers=req['bootstrap'])
    for n in range(count):
        value = ('%s-%d' % (prefix, n)).encode()
        producer.send(req['topic'], key=value, value=value)
    producer.flush()
    producer.close()

def share():
    ms = [start(i) for i in range(3)]
    wait_until('three members share the partitions', lambda: owns_all(ms))
    shared = {str(m[0]): assigned[m[0]] for m in ms}
    produce('a', req['first'])
    wait_until('the first records arrived', lambda: len(records) >= req['first'])
    close(ms[0])
    wait_until('two members own every partition', lambda: owns_all(ms[1:]))
    taken_over = {str(m[0]): assigned[m[0]] for m in ms[1:]}
    produce('b', req['more'])
    wait_until('the later records arrived', lambda: len(records) >= req['first'] + req['more'])
    for m in ms[1:]:
        close(m)
    return {'shared': shared, 'takenOver': taken_over, 'records': records, 'errors': errors}

def resume():
    ms = [start(i) for i in range(3)]
    wait_until('the new records arrived', lambda: len(records) >= req['first'])
    for m in ms:
        close(m)
    return {'records': records, 'errors': errors}

print(json.dumps(share() if req['op'] == 'share' else resume()))
`

type Consumed = [member: number, partition: number, offset: number, value: string]
interface ShareResult { shared: Record<string, number[]>, takenOver: Record<string, number[]>, records: Consumed[], errors: string[] }

const values = (prefix: string, count: number): string[] => Array.from({ length: count }, (_, i) => `${prefix}-${i}`)

function expectExactlyOnce (records: Consumed[], expected: string[]): void {
  expect(records.map(r => r[3]).sort()).toEqual([...expected].sort())
  expect(new Set(records.map(r => `${r[1]}:${r[2]}`)).size).toBe(records.length)
}

describe.skipIf(!has.kafkaPython)('kafka-python 2.0.2 consumer group', () => {
  let broker: RunningBroker
  let admin: Admin
  let producer: Producer

  beforeAll(async () => {
    broker = await startBroker({ settings: { 'group.initial.rebalance.delay.ms': 0 } })
    ;({ admin, producer } = await connectKafkajs(broker, { retry: { retries: 20, initialRetryTime: 100 } }))
  })

  afterAll(async () => {
    await closeKafkajs({ producer, admin, broker })
  })

  const run = async <T>(request: object): Promise<T> => JSON.parse(await runOk(pythonCommand('kafka'), ['-', JSON.stringify({ bootstrap: broker.bootstrap, partitions: 6, ...request })], {
    input: GROUP_SCRIPT, timeoutMs: 60_000
  })) as T

  it('three members consume every record exactly once, take over a leaver\'s partitions, and resume from committed offsets after a broker restart', async () => {
    const group = { topic: 'kp-group', group: 'kp-group-app' }
    await admin.createTopics({ topics: [{ topic: group.topic, numPartitions: 6 }] })
    const shared = await run<ShareResult>({ op: 'share', ...group, first: 60, more: 30 })
    expect(Object.values(shared.shared).map(p => p.length)).toEqual([2, 2, 2])
    expect(Object.values(shared.takenOver).flat().sort()).toEqual([0, 1, 2, 3, 4, 5])
    expectExactlyOnce(shared.records, [...values('a', 60), ...values('b', 30)])
    for (const [member, partition, , value] of shared.records) {
      if (value.startsWith('a-')) expect(shared.shared[String(member)]).toContain(partition)
      if (value.startsWith('b-')) expect(member).not.toBe(0)
    }
    expect(shared.errors).toEqual([])

    await producer.send({ topic: group.topic, messages: values('c', 20).map(value => ({ key: value, value })) })
    await broker.restart()
    const resumed = await run<{ records: Consumed[] }>({ op: 'resume', ...group, first: 20 })
    expectExactlyOnce(resumed.records, values('c', 20))
  })
})
