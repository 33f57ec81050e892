// Which timer structure should hold the group coordinator's session timeouts? Every Heartbeat,
// JoinGroup and SyncGroup pushes one member's deadline out by its session timeout, so the question
// is the cost of that re-arm with many members alive. Compared, with 10,000 members:
//   refresh         one Node Timeout per member, Timeout.refresh() (what src/groups/member.ts does)
//   clear+set       one Timeout per member, clearTimeout + setTimeout
//   min-heap        one global binary heap of deadlines with lazy deletion and one Timeout for its head
// Run: npx tsx bench/groups-timers.ts
import os from 'node:os'
import { Bench } from 'tinybench'

const MEMBERS = 10_000
const SESSION_MS = 45_000

/** A heap of (deadline, member) entries; a re-arm pushes a new entry and the stale one is skipped on pop. */
class DeadlineHeap {
  private readonly deadlines: number[] = []
  private readonly members: number[] = []
  private timer: NodeJS.Timeout | null = null
  private headDeadline = Infinity
  readonly current = new Float64Array(MEMBERS)

  arm (member: number, deadline: number): void {
    this.current[member] = deadline
    this.push(deadline, member)
    if (deadline < this.headDeadline) this.schedule(deadline)
  }

  close (): void { if (this.timer !== null) clearTimeout(this.timer) }

  private schedule (deadline: number): void {
    if (this.timer !== null) clearTimeout(this.timer)
    this.headDeadline = deadline
    this.timer = setTimeout(() => this.expire(), Math.max(0, deadline - Date.now()))
    this.timer.unref()
  }

  private expire (): void {
    const now = Date.now()
    while (this.deadlines.length > 0 && this.deadlines[0]! <= now) {
      const [deadline, member] = this.pop()
      if (this.current[member] === deadline) this.current[member] = 0
    }
    this.headDeadline = Infinity
    if (this.deadlines.length > 0) this.schedule(this.deadlines[0]!)
  }

  private push (deadline: number, member: number): void {
    let i = this.deadlines.length
    this.deadlines.push(deadline)
    this.members.push(member)
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (this.deadlines[parent]! <= deadline) break
      this.deadlines[i] = this.deadlines[parent]!
      this.members[i] = this.members[parent]!
      i = parent
    }
    this.deadlines[i] = deadline
    this.members[i] = member
  }

  private pop (): [number, number] {
    const top: [number, number] = [this.deadlines[0]!, this.members[0]!]
    const lastDeadline = this.deadlines.pop()!
    const lastMember = this.members.pop()!
    const n = this.deadlines.length
    if (n === 0) return top
    let i = 0
    for (;;) {
      const left = 2 * i + 1
      if (left >= n) break
      const child = left + 1 < n && this.deadlines[left + 1]! < this.deadlines[left]! ? left + 1 : left
      if (this.deadlines[child]! >= lastDeadline) break
      this.deadlines[i] = this.deadlines[child]!
      this.members[i] = this.members[child]!
      i = child
    }
    this.deadlines[i] = lastDeadline
    this.members[i] = lastMember
    return top
  }
}

async function main (): Promise<void> {
  const noop = (): void => {}
  const refreshed = Array.from({ length: MEMBERS }, () => setTimeout(noop, SESSION_MS).unref())
  const replaced = Array.from({ length: MEMBERS }, () => setTimeout(noop, SESSION_MS).unref())
  const heap = new DeadlineHeap()
  for (let m = 0; m < MEMBERS; m++) heap.arm(m, Date.now() + SESSION_MS)
  let a = 0
  let b = 0
  let c = 0

  const bench = new Bench({ time: 1000, warmupTime: 200 })
  bench.add('refresh', () => { refreshed[a++ % MEMBERS]!.refresh() })
  bench.add('clear+set', () => {
    const i = b++ % MEMBERS
    clearTimeout(replaced[i])
    replaced[i] = setTimeout(noop, SESSION_MS).unref()
  })
  bench.add('min-heap', () => { heap.arm(c++ % MEMBERS, Date.now() + SESSION_MS) })
  await bench.run()

  const rows = bench.tasks.map(task => {
    const r = task.result
    if (r.state !== 'completed') throw new Error(`${task.name}: ${r.state}`)
    return { structure: task.name, 'ns/re-arm p50': Math.round(r.latency.p50 * 1e6), 'ns/re-arm p99': Math.round(r.latency.p99 * 1e6), 're-arms/s': Math.round(r.throughput.mean) }
  })
  for (const t of [...refreshed, ...replaced]) clearTimeout(t)
  heap.close()
  console.log(`# groups-timers: re-arming one of ${MEMBERS} session timers of ${SESSION_MS} ms`)
  console.log(`# ${os.availableParallelism()} x ${os.cpus()[0]?.model ?? 'unknown cpu'}, node ${process.version}, ${os.platform()} ${os.release()}`)
  console.table(rows)
}

await main()
