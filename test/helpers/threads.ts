// The scheduling policy of a process's threads, from /proc (Linux): field 41 of
// /proc/PID/task/TID/stat.
import { readdirSync, readFileSync } from 'node:fs'

export const SCHED_OTHER = 0
export const SCHED_BATCH = 3

/** Each thread's scheduling policy, by thread id. */
export function threadPolicies (pid: number): Map<string, number> {
  const policies = new Map<string, number>()
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
    // Fields after the command name (which may hold spaces and parentheses) start at field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    policies.set(tid, Number(fields[41 - 3]))
  }
  return policies
}
