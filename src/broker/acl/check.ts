// What handlers ask of the authorizer, for the request's client (its principal: the SASL one, else
// its TLS client certificate's, else User:ANONYMOUS; its host: the peer's IP address). Without an authorizer every check is one field
// test and allows. With one, each connection caches its decisions until the ACLs change (the
// authorizer's generation), so a producer's steady stream of Produce requests to the same topics
// costs a map lookup per topic.
import type { Connection } from '../connection.js'
import type { RequestContext } from '../handler.js'
import { ErrorCode } from '../../protocol/errors.js'
import { allOperations, type Authorizer } from './authorizer.js'
import { CLUSTER_NAME, ResourceType } from './bindings.js'

/** Decisions a connection keeps before starting afresh (a client naming ever new topics). */
const MAX_CACHED = 10_000

interface DecisionCache { generation: number, decisions: Map<string, boolean> }
const caches = new WeakMap<Connection, DecisionCache>()

export const principalOf = (connection: Connection): string => connection.sasl?.principal ?? connection.principal
export const hostOf = (connection: Connection): string => connection.socket.remoteAddress ?? ''

/** Whether the request's client may perform `operation` on the resource; true without an authorizer. */
export function allowed (context: RequestContext, operation: number, resourceType: number, resourceName: string): boolean {
  const authorizer = context.broker.authorizer
  if (authorizer === null) return true
  return decide(authorizer, context.connection, operation, resourceType, resourceName)
}

function decide (authorizer: Authorizer, connection: Connection, operation: number, resourceType: number, resourceName: string): boolean {
  let cache = caches.get(connection)
  if (cache === undefined || cache.generation !== authorizer.generation || cache.decisions.size >= MAX_CACHED) {
    cache = { generation: authorizer.generation, decisions: new Map() }
    caches.set(connection, cache)
  }
  const key = `${operation}\u0000${resourceType}\u0000${resourceName}`
  let decision = cache.decisions.get(key)
  if (decision === undefined) {
    decision = authorizer.authorize(principalOf(connection), hostOf(connection), operation, resourceType, resourceName)
    cache.decisions.set(key, decision)
  }
  return decision
}

/** The authorized operations field of a resource: every supported operation without an authorizer. */
export function authorizedOperations (context: RequestContext, resourceType: number, resourceName: string): number {
  const authorizer = context.broker.authorizer
  if (authorizer === null) return allOperations(resourceType)
  return authorizer.authorizedOperations(principalOf(context.connection), hostOf(context.connection), resourceType, resourceName)
}

const CONFIG_TOPIC = 2
const CONFIG_BROKER = 4
const CONFIG_BROKER_LOGGER = 8

/** DescribeConfigs / AlterConfigs / IncrementalAlterConfigs (AuthHelper via KafkaApis): a topic needs
 *  `operation` on itself, a broker (or broker logger) on the cluster. The error code, NONE if allowed
 *  or for other resource types (the handlers refuse those themselves). */
export function configsDenied (context: RequestContext, operation: number, resourceType: number, resourceName: string): number {
  if (resourceType === CONFIG_TOPIC) return allowed(context, operation, ResourceType.TOPIC, resourceName) ? ErrorCode.NONE : ErrorCode.TOPIC_AUTHORIZATION_FAILED
  if (resourceType === CONFIG_BROKER || resourceType === CONFIG_BROKER_LOGGER) {
    return allowed(context, operation, ResourceType.CLUSTER, CLUSTER_NAME) ? ErrorCode.NONE : ErrorCode.CLUSTER_AUTHORIZATION_FAILED
  }
  return ErrorCode.NONE
}

/** Whether the request's client may perform `operation` on the cluster; true without an authorizer. */
export function clusterAllowed (context: RequestContext, operation: number): boolean {
  return allowed(context, operation, ResourceType.CLUSTER, CLUSTER_NAME)
}

/** Whether the client may perform `operation` on some resource of the type (an idempotent producer's
 *  WRITE on some topic); true without an authorizer. */
export function anyAllowed (context: RequestContext, operation: number, resourceType: number): boolean {
  const authorizer = context.broker.authorizer
  if (authorizer === null) return true
  return authorizer.authorizeAnyOfType(principalOf(context.connection), hostOf(context.connection), operation, resourceType)
}
