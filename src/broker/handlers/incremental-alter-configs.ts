// IncrementalAlterConfigs: changes single configs of a resource and leaves the others as they are.
//   v0–v1 (v1 flexible) the same semantics throughout; validateOnly checks and changes nothing
// Operations: SET 0; DELETE 1 (the config returns to its default); APPEND 2 and SUBTRACT 3 add or
// remove items of a list-typed config such as cleanup.policy, starting from its effective value
// (INVALID_CONFIG for other types). As in Kafka: a config named twice in one resource, or a null value
// for anything but DELETE, is INVALID_REQUEST; an unknown name or a resulting bad value is
// INVALID_CONFIG. Broker resources change that scope's dynamic broker configs (this broker's or the
// cluster default's: dynamic-broker-configs.ts), checked as in AlterConfigs; APPEND and SUBTRACT start
// from the scope's value, else the value in force. Duplicated resources and other resource types as in
// AlterConfigs.
import {
  decodeIncrementalAlterConfigsRequest, encodeIncrementalAlterConfigsResponse, ErrorCode, incrementalAlterConfigsApi,
  KafkaError, type IncrementalAlterConfigsRequest, type IncrementalAlterConfigsRequestAlterableConfig,
  type IncrementalAlterConfigsRequestAlterConfigsResource, type IncrementalAlterConfigsResponse,
  type IncrementalAlterConfigsResponseAlterConfigsResourceResponse, type MessageInput
} from '../../protocol/index.js'
import { brokerSettings, topicConfigs, type SettingSpec } from '../../config/settings.js'
import { AclOperation } from '../acl/bindings.js'
import { configsDenied } from '../acl/check.js'
import { defineHandler, type RequestContext } from '../handler.js'
import { checkConfigs } from '../topics.js'
import { alterTarget, resourceKey, resourceReply, setBrokerConfigs } from './alter-configs.js'
import { splitDuplicates } from './duplicates.js'
import { errorAnswer } from './errors.js'

const SET = 0
const DELETE = 1
const APPEND = 2
const SUBTRACT = 3
const opNames = ['SET', 'DELETE', 'APPEND', 'SUBTRACT']

type ResourceAnswer = MessageInput<IncrementalAlterConfigsResponseAlterConfigsResourceResponse>

export const incrementalAlterConfigsHandler = defineHandler<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse>({
  api: incrementalAlterConfigsApi,
  decode: decodeIncrementalAlterConfigsRequest,
  encode: encodeIncrementalAlterConfigsResponse,
  async handle (request, context) {
    const { unique, repeated } = splitDuplicates(request.resources, resourceKey)
    const responses = await Promise.all(unique.map(r => alterResource(r, request.validateOnly, context)))
    return { responses: [...responses, ...repeated.map(r => resourceReply(r, ErrorCode.INVALID_REQUEST, 'Duplicate resource.'))] }
  }
})

async function alterResource (resource: IncrementalAlterConfigsRequestAlterConfigsResource, validateOnly: boolean, context: RequestContext): Promise<ResourceAnswer> {
  const { broker } = context
  // With an authorizer: ALTER_CONFIGS on the topic, or on the cluster for a broker (as AlterConfigs).
  const denied = configsDenied(context, AclOperation.ALTER_CONFIGS, resource.resourceType, resource.resourceName)
  if (denied !== ErrorCode.NONE) return resourceReply(resource, denied, null)
  try {
    const named = splitDuplicates(resource.configs, c => c.name).repeated.map(c => c.name)
    if (named.length > 0) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Error due to duplicate config keys : ${named.join(',')}`)
    const nulls = resource.configs.filter(c => c.value === null && c.configOperation !== DELETE)
    if (nulls.length > 0) {
      throw new KafkaError(ErrorCode.INVALID_REQUEST, `Null value not supported for : ${nulls.map(c => `${opNames[c.configOperation] ?? c.configOperation}:${c.name}`).join(',')}`)
    }
    const topic = alterTarget(resource, broker)
    if (topic === null) {
      const scope = resource.resourceName === '' ? 'default' : 'broker'
      const values = new Map(Object.entries(broker.dynamicConfigs.get(scope)))
      const live = broker.config as unknown as Record<string, unknown>
      // A broker config Sluice does not know is untyped (Kafka's custom configs): APPEND and SUBTRACT refused.
      const specOf = (name: string): SettingSpec | undefined => (brokerSettings as Record<string, SettingSpec>)[name]
      for (const op of resource.configs) apply(op, values, specOf(op.name), () => values.get(op.name) ?? String(live[op.name] ?? ''))
      await setBrokerConfigs(broker, resource.resourceName, Object.fromEntries(values), validateOnly)
    } else {
      const overrides = new Map(Object.entries(topic.configs))
      for (const op of resource.configs) {
        const entry = topicConfigs[op.name]
        if (entry === undefined) throw new KafkaError(ErrorCode.INVALID_CONFIG, `Unknown topic config name: ${op.name}`)
        apply(op, overrides, entry.spec, () => String(broker.topics.setting(topic, op.name)))
      }
      const next = Object.fromEntries(overrides)
      checkConfigs(next)
      if (!validateOnly) await broker.topics.setConfigs(topic, next)
    }
    return resourceReply(resource, ErrorCode.NONE, null)
  } catch (error) {
    const { errorCode, errorMessage } = errorAnswer(error, broker.log, { api: 'IncrementalAlterConfigs', resourceType: resource.resourceType, resourceName: resource.resourceName })
    return resourceReply(resource, errorCode, errorMessage)
  }
}

/** One operation on a resource's set of configs; `current` is the value APPEND and SUBTRACT start from. */
function apply (op: IncrementalAlterConfigsRequestAlterableConfig, overrides: Map<string, string>, spec: SettingSpec | undefined, current: () => string): void {
  switch (op.configOperation) {
    case SET:
      overrides.set(op.name, op.value ?? '')
      return
    case DELETE:
      overrides.delete(op.name)
      return
    case APPEND:
    case SUBTRACT: {
      const verb = op.configOperation === APPEND ? 'append' : 'subtract'
      if (spec?.type !== 'list') throw new KafkaError(ErrorCode.INVALID_CONFIG, `Config value ${verb} is not allowed for config key: ${op.name}`)
      const items = listItems(current())
      const given = listItems(op.value ?? '')
      const result = op.configOperation === APPEND ? [...items, ...given.filter(v => !items.includes(v))] : items.filter(v => !given.includes(v))
      overrides.set(op.name, result.join(','))
      return
    }
    default:
      throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unknown config operation ${op.configOperation} for ${op.name}`)
  }
}

function listItems (value: string): string[] {
  return value.split(',').map(v => v.trim()).filter(v => v !== '')
}
