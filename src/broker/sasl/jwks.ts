// The JWKS of an OAUTHBEARER listener whose sasl.oauthbearer.jwks.endpoint.url is http(s), as Kafka's
// RefreshingHttpsJwks keeps it: fetched before the broker serves (a failure stops start-up, as Kafka's
// init does), then every sasl.oauthbearer.jwks.endpoint.refresh.ms, and again soon (at most once a
// second) when a token names a key the set lacks, so a rotated key is picked up before the next
// refresh. A failed refresh keeps the keys there were and is logged.
import type { Logger } from 'pino'
import { parseJwks, type JwksSource, type VerificationKey } from '../../config/listener-config.js'
import type { BoundListener } from '../listeners.js'

const FETCH_TIMEOUT_MS = 10_000
const MIN_EXPEDITED_INTERVAL_MS = 1000
/** setInterval's longest delay; a longer one would fire at once. */
const MAX_TIMER_MS = 2_147_483_647

export class JwksRefreshers {
  private readonly timers: NodeJS.Timeout[] = []

  private constructor () {}

  /** Fetches every http(s) JWKS of the listeners' OAUTHBEARER settings; rejects if one cannot be fetched. */
  static async start (listeners: readonly BoundListener[], log: Logger): Promise<JwksRefreshers> {
    const refreshers = new JwksRefreshers()
    const sources = listeners.map(l => l.spec.sasl?.oauthbearer).flatMap(o => o?.validator === 'jwks' && o.jwks.remote !== null ? [o.jwks] : [])
    try {
      await Promise.all(sources.map(async source => { await refreshers.keep(source, log) }))
    } catch (error) {
      refreshers.close()
      throw error
    }
    return refreshers
  }

  close (): void {
    for (const timer of this.timers.splice(0)) clearInterval(timer)
  }

  private async keep (source: JwksSource, log: Logger): Promise<void> {
    const { url, refreshMs } = source.remote!
    try {
      source.keys = await fetchJwks(url)
    } catch (error) {
      throw new Error(`sasl.oauthbearer.jwks.endpoint.url: cannot fetch the JWKS from ${url}: ${(error as Error).message}`)
    }
    let fetching = false
    let lastFetch = Date.now()
    const refresh = (): void => {
      if (fetching) return
      fetching = true
      lastFetch = Date.now()
      fetchJwks(url).then(keys => { source.keys = keys }, (error: unknown) => {
        log.warn({ url, err: error }, 'could not refresh the OAUTHBEARER JWKS; the keys fetched before stay in use')
      }).finally(() => { fetching = false })
    }
    const timer = setInterval(refresh, Math.min(refreshMs, MAX_TIMER_MS))
    timer.unref()
    this.timers.push(timer)
    source.onMissingKey = () => { if (Date.now() - lastFetch >= MIN_EXPEDITED_INTERVAL_MS) refresh() }
  }
}

async function fetchJwks (url: string): Promise<VerificationKey[]> {
  const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), headers: { accept: 'application/json' } })
  if (!response.ok) throw new Error(`HTTP ${response.status}`)
  return parseJwks(await response.text())
}
