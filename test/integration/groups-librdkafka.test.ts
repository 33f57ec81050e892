// librdkafka 2.0.2 consumer groups against a real broker, through python3-confluent-kafka 1.7.0 and
// kcat -G (FindCoordinator v2, JoinGroup v5, SyncGroup v3, Heartbeat v3, LeaveGroup v1, OffsetCommit
// v7, OffsetFetch v7): three members share a 6-partition topic with the default eager assignors
// ("range,roundrobin") and with cooperative-sticky; a leaver's partitions move to the others; a new
// set of members resumes from the committed offsets after a broker restart; a static member
// (group.instance.id) restarted within its session timeout gets its partitions back while the other
// member sees no rebalance. Issue #4.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Admin, type Producer } from 'kafkajs'
import { closeKafkajs, connectKafkajs } from '../helpers/kafkajs-fixture.js'
import { startBroker, type RunningBroker } from '../helpers/broker.js'
import { has, kcat, pythonCommand, runOk } from '../helpers/clients.js'

// Run as `python3 - '<json>'` with this program on stdin; prints one JSON document.
const GROUP_SCRIPT = String.raw`
import json, sys, threading, time
from confluent_kafka import Consumer, Producer

req = json.loads(sys.argv[1])
WAIT_S = 25
COOPERATIVE = req.get('strategy') == 'cooperative-sticky'
records, events = [], []
lock = threading.Lock()

class Member:
    def __init__(self, name, instance=None):
        self.name, self.assigned, self.stop = name, set(), threading.Event()
        config = {'bootstrap.servers': req['bootstrap'], 'group.id': req['group'], 'client.id': name,
                  'auto.offset.reset': 'earliest', 'enable.auto.commit': False, 'session.timeout.ms': 6000,
                  'heartbeat.interval.ms': 300, 'fetch.wait.max.ms': 100,
                  'partition.assignment.strategy': req.get('strategy', 'range,roundrobin')}
        if instance is not None:
            config['group.instance.id'] = instance
        self.consumer = Consumer(config)
        self.consumer.subscribe([req['topic']], on_assign=self.on_assign, on_revoke=self.on_revoke)
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def on_assign(self, consumer, partitions):
        with lock:
            events.append([self.name, 'assign', sorted(p.partition for p in partitions)])
        self.assigned |= {p.partition for p in partitions}
        if COOPERATIVE:
            consumer.incremental_assign(partitions)

    def on_revoke(self, consumer, partitions):
        with lock:
            events.append([self.name, 'revoke', sorted(p.partition for p in partitions)])
        self.assigned -= {p.partition for p in partitions}
        if COOPERATIVE:
            consumer.incremental_unassign(partitions)

    def run(self):
        while not self.stop.is_set():
            msg = self.consumer.poll(0.1)
            if msg is None or msg.error() is not None:
                continue
            with lock:
                records.append([self.name, msg.partition(), msg.offset(), msg.value().decode()])
            self.consumer.commit(message=msg, asynchronous=False)

    def close(self):
        self.stop.set()
        self.thread.join()
        self.consumer.close()

def wait_until(what, cond):
    deadline = time.time() + WAIT_S
    while not cond():
        if time.time() > deadline:
            raise SystemExit('timed out waiting until %s; events %s' % (what, json.dumps(events)))
        time.sleep(0.05)

def owns_all(members):
    owned = [p for m in members for p in m.assigned]
    return sorted(owned) == list(range(req['partitions'])) and all(m.assigned for m in members)

def produce(prefix, count):
    producer = Producer({'bootstrap.servers': req['bootstrap']})
    for n in range(count):
        value = ('%s-%d' % (prefix, n)).encode()
        producer.produce(req['topic'], key=value, value=value)
    producer.flush(15)

def share():
    members = [Member('m%d' % i) for i in range(3)]
    wait_until('three members share the partitions', lambda: owns_all(members))
    shared = {m.name: sorted(m.assigned) for m in members}
    produce('a', req['first'])
    wait_until('the first records arrived', lambda: len(records) >= req['first'])
    members[0].close()
    wait_until('two members own every partition', lambda: owns_all(members[1:]))
    taken_over = {m.name: sorted(m.assigned) for m in members[1:]}
    produce('b', req['more'])
    wait_until('the later records arrived', lambda: len(records) >= req['first'] + req['more'])
    for m in members[1:]:
        m.close()
    return {'shared': shared, 'takenOver': taken_over, 'records': records}

def resume():
    members = [Member('r%d' % i) for i in range(3)]
    wait_until('the new records arrived', lambda: len(records) >= req['first'])
    for m in members:
        m.close()
    return {'records': records}

def static():
    first, second = Member('s1', 'i1'), Member('s2', 'i2')
    wait_until('both static members are assigned', lambda: owns_all([first, second]))
    before = sorted(second.assigned)
    since = len(events)
    second.close()
    again = Member('s2-again', 'i2')
    wait_until('the restarted member is assigned', lambda: again.assigned)
    produce('s', req['first'])
    wait_until('the records arrived', lambda: len(records) >= req['first'])
    result = {'before': before, 'after': sorted(again.assigned), 'events': events[since:], 'records': records}
    first.close()
    again.close()
    return result

print(json.dumps({'share': share, 'resume': resume, 'static': static}[req['op']]()))
`

type Consumed = [member: string, partition: number, offset: number, value: string]
interface ShareResult { shared: Record<string, number[]>, takenOver: Record<string, number[]>, records: Consumed[] }
type Event = [member: string, kind: 'assign' | 'revoke', partitions: number[]]

const values = (prefix: string, count: number): string[] => Array.from({ length: count }, (_, i) => `${prefix}-${i}`)

function expectExactlyOnce (records: ReadonlyArray<{ 1: number, 2: number, 3: string }>, expected: string[]): void {
  expect(records.map(r => r[3]).sort()).toEqual([...expected].sort())
  expect(new Set(records.map(r => `${r[1]}:${r[2]}`)).size).toBe(records.length)
}

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

async function produce (topic: string, prefix: string, count: number): Promise<void> {
  await producer.send({ topic, messages: values(prefix, count).map(value => ({ key: value, value })) })
}

describe.skipIf(!has.confluentKafka)('confluent-kafka (librdkafka 2.0.2) consumer group', () => {
  const run = async <T>(request: object): Promise<T> => JSON.parse(await runOk(pythonCommand('confluent_kafka'), ['-', JSON.stringify({ bootstrap: broker.bootstrap, partitions: 6, ...request })], {
    input: GROUP_SCRIPT, timeoutMs: 60_000
  })) as T

  // librdkafka 2.0.2 has aborted itself once here (SIGABRT on one of its own cooperative-sticky
  // assertions, in a full run on a machine loaded far beyond CI; the file then passed 4 of 4 alone), so
  // each case may run once more, on a fresh topic and group so that the first try's records cannot count.
  const attempts = new Map<string, number>()
  for (const strategy of ['range,roundrobin', 'cooperative-sticky']) {
    it(`with ${strategy}, three members consume every record exactly once, take over a leaver's partitions, and resume after a broker restart`, { retry: 1 }, async () => {
      const attempt = (attempts.get(strategy) ?? 0) + 1
      attempts.set(strategy, attempt)
      const name = `${strategy.replace(/\W/g, '-')}-${attempt}`
      const group = { topic: `rd-${name}`, group: `rd-app-${name}`, strategy }
      await admin.createTopics({ topics: [{ topic: group.topic, numPartitions: 6 }] })
      const shared = await run<ShareResult>({ op: 'share', ...group, first: 60, more: 30 })
      expect(Object.values(shared.shared).map(p => p.length)).toEqual([2, 2, 2])
      expect(Object.values(shared.takenOver).flat().sort()).toEqual([0, 1, 2, 3, 4, 5])
      expectExactlyOnce(shared.records, [...values('a', 60), ...values('b', 30)])
      for (const [member, partition, , value] of shared.records) {
        if (value.startsWith('a-')) expect(shared.shared[member]).toContain(partition)
        if (value.startsWith('b-')) expect(member).not.toBe('m0')
      }

      await produce(group.topic, 'c', 20)
      await broker.restart()
      const resumed = await run<{ records: Consumed[] }>({ op: 'resume', ...group, first: 20 })
      expectExactlyOnce(resumed.records, values('c', 20))
    })
  }

  it('a static member restarted within its session timeout gets its partitions back and the other member sees no rebalance', async () => {
    const group = { topic: 'rd-static', group: 'rd-static-app' }
    await admin.createTopics({ topics: [{ topic: group.topic, numPartitions: 6 }] })
    const result = await run<{ before: number[], after: number[], events: Event[], records: Consumed[] }>({ op: 'static', ...group, first: 30 })
    expect(result.after).toEqual(result.before)
    // From the restart on: s2 gives its partitions up locally and s2-again gets them; s1 sees nothing.
    expect(result.events).toEqual([['s2', 'revoke', result.before], ['s2-again', 'assign', result.before]])
    expectExactlyOnce(result.records, values('s', 30))
  })
})

describe.skipIf(!has.kcat)('kcat -G (librdkafka 2.0.2 balanced consumer)', () => {
  it('consumes every record once, commits on exit, and the next run resumes from the committed offsets', async () => {
    const topic = 'kcat-group'
    await admin.createTopics({ topics: [{ topic, numPartitions: 6 }] })
    await produce(topic, 'a', 60)
    const consume = async (): Promise<string[]> => {
      const out = await kcat(['-b', broker.bootstrap, '-G', 'kcat-app', topic, '-X', 'auto.offset.reset=earliest', '-e', '-q', '-f', '%s\n'], { timeoutMs: 30_000 })
      return out.split('\n').filter(line => line !== '')
    }
    expect((await consume()).sort()).toEqual(values('a', 60).sort())
    expect(await consume()).toEqual([])
    await produce(topic, 'b', 20)
    expect((await consume()).sort()).toEqual(values('b', 20).sort())
    const { groups } = await admin.describeGroups(['kcat-app'])
    expect(groups[0]).toMatchObject({ groupId: 'kcat-app', state: 'Empty', protocolType: 'consumer' })
  })
})
