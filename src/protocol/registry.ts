// Every API module registers the versions it implements here, and ApiVersions is built from this
// registry, so what we advertise cannot drift from the code. The broker decides which keys it serves
// (those with a handler) and passes them to advertisedVersions().
//   minVersion..maxVersion      what the module decodes and encodes
//   advertiseMin..advertiseMax  what ApiVersions lists, when it differs (Produce advertises v0–2 for old
//                               librdkafka feature probes but refuses them; protocol-notes.md §5)
import { ProtocolError } from './codec/protocol-error.js'

export interface ApiRegistration {
  readonly key: number
  readonly name: string
  readonly minVersion: number
  readonly maxVersion: number
  readonly advertiseMin: number
  readonly advertiseMax: number
  /** First flexible version (KIP-482), or null when no version is flexible. */
  readonly flexibleFrom: number | null
}

export interface RegisterApiOptions {
  key: number
  name: string
  minVersion: number
  maxVersion: number
  advertiseMin?: number
  advertiseMax?: number
  flexibleFrom: number | null
}

export interface AdvertisedVersion { apiKey: number, minVersion: number, maxVersion: number }

const apis = new Map<number, ApiRegistration>()

export function registerApi (options: RegisterApiOptions): ApiRegistration {
  if (apis.has(options.key)) throw new Error(`API key ${options.key} registered twice`)
  const api: ApiRegistration = {
    ...options,
    advertiseMin: options.advertiseMin ?? options.minVersion,
    advertiseMax: options.advertiseMax ?? options.maxVersion
  }
  if (api.minVersion > api.maxVersion || api.advertiseMin > api.advertiseMax) throw new Error(`${api.name}: empty version range`)
  apis.set(api.key, api)
  return api
}

export function apiByKey (key: number): ApiRegistration | undefined {
  return apis.get(key)
}

export function registeredApis (): ApiRegistration[] {
  return [...apis.values()].sort((a, b) => a.key - b.key)
}

export function isFlexible (api: ApiRegistration, version: number): boolean {
  return api.flexibleFrom !== null && version >= api.flexibleFrom
}

export function implementsVersion (api: ApiRegistration, version: number): boolean {
  return version >= api.minVersion && version <= api.maxVersion
}

/** Throws unless `version` is in the implemented range, naming the reason when it is advertised anyway. */
export function requireVersion (api: ApiRegistration, version: number): void {
  if (implementsVersion(api, version)) return
  const advertised = version >= api.advertiseMin && version <= api.advertiseMax
  throw new ProtocolError(`${api.name} v${version} is not served (implemented v${api.minVersion}-${api.maxVersion}` +
    `${advertised ? '; it is advertised only for client feature probes' : ''})`)
}

/** The ApiKeys list of an ApiVersions response: every registered key in `servedKeys`, by key. */
export function advertisedVersions (servedKeys: ReadonlySet<number>): AdvertisedVersion[] {
  return registeredApis()
    .filter((api) => servedKeys.has(api.key))
    .map((api) => ({ apiKey: api.key, minVersion: api.advertiseMin, maxVersion: api.advertiseMax }))
}
