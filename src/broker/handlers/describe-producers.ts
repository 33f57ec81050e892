// DescribeProducers (operators, KIP-664): the producers each partition's shard keeps sequence state
// for, with their epoch, last sequence, last write and the first offset of an open transaction.
import {
  decodeDescribeProducersRequest, describeProducersApi, encodeDescribeProducersResponse, ErrorCode,
  type DescribeProducersRequest, type DescribeProducersResponse
} from '../../protocol/index.js'
import { AclOperation, ResourceType } from '../acl/bindings.js'
import { allowed } from '../acl/check.js'
import { defineHandler } from '../handler.js'
import { errorAnswer } from './errors.js'

export const describeProducersHandler = defineHandler<DescribeProducersRequest, DescribeProducersResponse>({
  api: describeProducersApi,
  decode: decodeDescribeProducersRequest,
  encode: encodeDescribeProducersResponse,
  async handle (request, context) {
    const { broker } = context
    const topics = await Promise.all(request.topics.map(async t => ({
      name: t.name,
      partitions: await Promise.all(t.partitionIndexes.map(async partitionIndex => {
        // With an authorizer, READ on the topic.
        if (!allowed(context, AclOperation.READ, ResourceType.TOPIC, t.name)) {
          return { partitionIndex, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: null, activeProducers: [] }
        }
        const topic = broker.topics.get(t.name)
        if (topic === undefined || partitionIndex < 0 || partitionIndex >= topic.partitions) {
          return { partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null, activeProducers: [] }
        }
        try {
          const producers = await broker.store.producers(t.name, partitionIndex)
          return {
            partitionIndex,
            errorCode: ErrorCode.NONE,
            errorMessage: null,
            activeProducers: producers.map(p => ({
              producerId: p.producerId, producerEpoch: p.epoch, lastSequence: p.lastSequence, lastTimestamp: p.lastTimestamp, coordinatorEpoch: 0, currentTxnStartOffset: p.txnStartOffset
            }))
          }
        } catch (error) {
          return { partitionIndex, ...errorAnswer(error, broker.log, { api: 'DescribeProducers', topic: t.name, partition: partitionIndex }), activeProducers: [] }
        }
      }))
    })))
    return { topics }
  }
})
