// AlterConfigs: replaces a resource's whole set of dynamic configs. For a topic, the overrides listed
// become its only overrides; those not listed return to their defaults (Kafka's semantics; clients
// that want to change one config use IncrementalAlterConfigs).
//   v0–v2 (v2 flexible) the same semantics throughout; validateOnly checks and changes nothing
// As in Kafka: a null value is INVALID_REQUEST; an unknown config name or a bad value is
// INVALID_CONFIG with the reason; an unknown topic UNKNOWN_TOPIC_OR_PARTITION; a resource named twice
// gets one INVALID_REQUEST (duplicates.ts); resource types other than topic and broker INVALID_REQUEST.
// Broker resources (this node's id, or "" for the cluster-wide defaults): the set replaces that scope's
// dynamic broker configs (dynamic-broker-configs.ts); a key that cannot change at run time is
// INVALID_REQUEST "Cannot update these configs dynamically: Set(...)", as in Kafka.
// With an authorizer a topic needs ALTER_CONFIGS on itself (TOPIC_AUTHORIZATION_FAILED), a broker on
// the cluster (CLUSTER_AUTHORIZATION_FAILED).
import {
  alterConfigsApi, decodeAlterConfigsRequest, encodeAlterConfigsResponse, ErrorCode, KafkaError, type AlterConfigsRequest,
  type AlterConfigsRequestAlterConfigsResource, type AlterConfigsResponse, type AlterConfigsResponseAlterConfigsResourceResponse,
  type MessageInput
} from '../../protocol/index.js'
import type { Broker } from '../broker.js'
import { AclOperation } from '../acl/bindings.js'
import { configsDenied } from '../acl/check.js'
import { defineHandler, type RequestContext } from '../handler.js'
import { validateTopicName, type TopicInfo } from '../topic-registry.js'
import { checkConfigs } from '../topics.js'
import { isThisBroker, RESOURCE_BROKER, RESOURCE_TOPIC } from './describe-configs.js'
import { splitDuplicates } from './duplicates.js'
import { errorAnswer } from './errors.js'

type ResourceAnswer = MessageInput<AlterConfigsResponseAlterConfigsResourceResponse>
export interface ConfigResource { resourceType: number; resourceName: string }

export const alterConfigsHandler = defineHandler<AlterConfigsRequest, AlterConfigsResponse>({
  api: alterConfigsApi,
  decode: decodeAlterConfigsRequest,
  encode: encodeAlterConfigsResponse,
  async handle (request, context) {
    const { unique, repeated } = splitDuplicates(request.resources, resourceKey)
    const responses = await Promise.all(unique.map(r => replaceConfigs(r, request.validateOnly, context)))
    return { responses: [...responses, ...repeated.map(r => resourceReply(r, ErrorCode.INVALID_REQUEST, 'Duplicate resource.'))] }
  }
})

async function replaceConfigs (resource: AlterConfigsRequestAlterConfigsResource, validateOnly: boolean, context: RequestContext): Promise<ResourceAnswer> {
  const { broker } = context
  const denied = configsDenied(context, AclOperation.ALTER_CONFIGS, resource.resourceType, resource.resourceName)
  if (denied !== ErrorCode.NONE) return resourceReply(resource, denied, null)
  try {
    const nulls = resource.configs.filter(c => c.value === null).map(c => c.name)
    if (nulls.length > 0) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Null value not supported for : ${nulls.join(',')}`)
    const configs = Object.fromEntries(resource.configs.map(c => [c.name, c.value ?? '']))
    const topic = alterTarget(resource, broker)
    if (topic === null) {
      await setBrokerConfigs(broker, resource.resourceName, configs, validateOnly)
    } else {
      checkConfigs(configs)
      if (!validateOnly) await broker.topics.setConfigs(topic, configs)
    }
    return resourceReply(resource, ErrorCode.NONE, null)
  } catch (error) {
    const { errorCode, errorMessage } = errorAnswer(error, broker.log, { api: 'AlterConfigs', resourceType: resource.resourceType, resourceName: resource.resourceName })
    return resourceReply(resource, errorCode, errorMessage)
  }
}

/** The topic an alter request names, or null for this broker (or the cluster defaults); throws otherwise. */
export function alterTarget ({ resourceType, resourceName }: ConfigResource, broker: Broker): TopicInfo | null {
  if (resourceType === RESOURCE_BROKER) {
    isThisBroker(resourceName, broker.nodeId)
    return null
  }
  if (resourceType !== RESOURCE_TOPIC) {
    throw new KafkaError(ErrorCode.INVALID_REQUEST, `Configs can only be altered for topics and brokers, but resource type is ${resourceType}`)
  }
  validateTopicName(resourceName)
  const topic = broker.topics.get(resourceName)
  if (topic === undefined) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${resourceName}' does not exist.`)
  return topic
}

/** Replaces the dynamic configs of a broker resource (alterTarget checked its name); topics follow a changed log default. */
export async function setBrokerConfigs (broker: Broker, resourceName: string, configs: Record<string, string>, validateOnly: boolean): Promise<void> {
  const dynamic = broker.dynamicConfigs
  const scope = resourceName === '' ? 'default' : 'broker'
  if (validateOnly) {
    dynamic.validate(scope, configs)
    return
  }
  if (dynamic.replace(scope, configs)) await broker.topics.reapplyConfigs()
}

export function resourceKey ({ resourceType, resourceName }: ConfigResource): string {
  return `${resourceType}:${resourceName}`
}

export function resourceReply ({ resourceType, resourceName }: ConfigResource, errorCode: number, errorMessage: string | null): ResourceAnswer {
  return { errorCode, errorMessage, resourceType, resourceName }
}
