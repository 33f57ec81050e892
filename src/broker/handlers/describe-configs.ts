// DescribeConfigs: the configs of topics (resource type 2) and of this broker (type 4).
//   v0    isDefault per config
//   v1+   configSource instead (1 topic override, 2 / 3 dynamic for this broker / for all, 4 set in the
//         broker's config, 5 default) and, when
//         includeSynonyms, every source that could supply the value, highest precedence first
//   v3+   configType and, when includeDocumentation, the documentation
//   v4    flexible
// configurationKeys null means all; names we do not have are left out, as in Kafka. A topic resource
// with an illegal name is INVALID_TOPIC_EXCEPTION, an unknown one UNKNOWN_TOPIC_OR_PARTITION. A broker
// resource names this node's id (every setting, dynamic ones with sources 2 and 3 over the static
// ones: dynamic-broker-configs.ts), or "" for the cluster-wide dynamic defaults (those alone, source 3);
// any other id is INVALID_REQUEST, as is any other resource type. Broker settings are read-only but
// the dynamic ones; passwords and keys are sensitive (no value), as in Kafka. With an authorizer a topic
// needs DESCRIBE_CONFIGS on itself (TOPIC_AUTHORIZATION_FAILED), a broker on the cluster
// (CLUSTER_AUTHORIZATION_FAILED).
import {
  decodeDescribeConfigsRequest, describeConfigsApi, encodeDescribeConfigsResponse, ErrorCode, KafkaError,
  type DescribeConfigsRequest, type DescribeConfigsRequestDescribeConfigsResource, type DescribeConfigsResponse,
  type DescribeConfigsResponseDescribeConfigsResourceResult, type DescribeConfigsResponseDescribeConfigsResult, type MessageInput
} from '../../protocol/index.js'
import type { SettingType } from '../../config/settings.js'
import { AclOperation } from '../acl/bindings.js'
import { configsDenied } from '../acl/check.js'
import { defineHandler, type RequestContext } from '../handler.js'
import { ConfigSourceId, describeBrokerSettings, describeClusterDefaults, describeTopicConfigs, type DescribedConfig } from '../log-config.js'
import { APPLIED_DYNAMIC } from '../dynamic-broker-configs.js'
import { validateTopicName } from '../topic-registry.js'
import { errorAnswer } from './errors.js'

export const RESOURCE_TOPIC = 2
export const RESOURCE_BROKER = 4

/** Kafka's ConfigType ids (DescribeConfigs v3+). */
const configTypeIds: Record<SettingType, number> = { boolean: 1, string: 2, int: 3, long: 5, double: 6, list: 7 }

type ResourceAnswer = MessageInput<DescribeConfigsResponseDescribeConfigsResult>
type ConfigAnswer = MessageInput<DescribeConfigsResponseDescribeConfigsResourceResult>

interface Options { version: number; includeSynonyms: boolean; includeDocumentation: boolean }

export const describeConfigsHandler = defineHandler<DescribeConfigsRequest, DescribeConfigsResponse>({
  api: describeConfigsApi,
  decode: decodeDescribeConfigsRequest,
  encode: encodeDescribeConfigsResponse,
  handle (request, context) {
    const options = { version: context.apiVersion, includeSynonyms: request.includeSynonyms, includeDocumentation: request.includeDocumentation }
    return { results: request.resources.map(resource => describeResource(resource, options, context)) }
  }
})

function describeResource (resource: DescribeConfigsRequestDescribeConfigsResource, options: Options, context: RequestContext): ResourceAnswer {
  const { broker } = context
  const { resourceType, resourceName } = resource
  const denied = configsDenied(context, AclOperation.DESCRIBE_CONFIGS, resourceType, resourceName)
  if (denied !== ErrorCode.NONE) return { errorCode: denied, errorMessage: null, resourceType, resourceName, configs: [] }
  try {
    let configs: DescribedConfig[]
    if (resourceType === RESOURCE_TOPIC) {
      validateTopicName(resourceName)
      const topic = broker.topics.get(resourceName)
      if (topic === undefined) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null, resourceType, resourceName, configs: [] }
      configs = describeTopicConfigs(broker.config, topic.configs, broker.dynamicConfigs.layers)
    } else if (resourceType === RESOURCE_BROKER) {
      const layers = broker.dynamicConfigs.layers
      configs = isThisBroker(resourceName, broker.nodeId) ? describeBrokerSettings(layers) : describeClusterDefaults(layers)
    } else {
      throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unsupported resource type: ${resourceType}`)
    }
    const wanted = resource.configurationKeys === null ? configs : configs.filter(c => resource.configurationKeys?.includes(c.name))
    // A broker config is read-only unless it may be altered (dynamic-broker-configs.ts).
    const readOnly = (c: DescribedConfig): boolean => resourceType === RESOURCE_BROKER && !APPLIED_DYNAMIC.has(c.name as never) && c.source !== ConfigSourceId.DYNAMIC_BROKER_CONFIG && c.source !== ConfigSourceId.DYNAMIC_DEFAULT_BROKER_CONFIG
    return { errorCode: ErrorCode.NONE, errorMessage: null, resourceType, resourceName, configs: wanted.map(c => entry(c, readOnly(c), options)) }
  } catch (error) {
    const { errorCode, errorMessage } = errorAnswer(error, broker.log, { api: 'DescribeConfigs', resourceType, resourceName })
    return { errorCode, errorMessage, resourceType, resourceName, configs: [] }
  }
}

function entry (c: DescribedConfig, readOnly: boolean, { version, includeSynonyms, includeDocumentation }: Options): ConfigAnswer {
  return {
    name: c.name,
    value: c.spec.sensitive === true ? null : c.value,
    readOnly,
    isDefault: version === 0 && c.source === ConfigSourceId.DEFAULT_CONFIG,
    configSource: c.source,
    isSensitive: c.spec.sensitive === true,
    synonyms: !includeSynonyms ? [] : c.spec.sensitive === true ? c.synonyms.map(s => ({ ...s, value: null })) : c.synonyms,
    configType: configTypeIds[c.spec.type],
    documentation: includeDocumentation ? c.spec.doc : null
  }
}

/**
 * A broker resource name: "" (the cluster-wide defaults) is false, this node's id true; anything
 * else is INVALID_REQUEST, with Kafka's wording.
 */
export function isThisBroker (resourceName: string, nodeId: number): boolean {
  if (resourceName === '') return false
  if (!/^-?\d+$/.test(resourceName)) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Broker id must be an integer, but it is: ${resourceName}`)
  if (Number(resourceName) !== nodeId) {
    throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unexpected broker id, expected ${nodeId} or empty string, but received ${resourceName}`)
  }
  return true
}
