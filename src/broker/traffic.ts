// Bytes and records in and out per topic for the Kafka listener, counted from the requests and
// answers the router already holds: produce counts the batches of each partition the handler accepted
// (acks=0 gets no answer, so it counts what was sent), fetch the batches it answers with. Only batch
// headers are read, never records.
import type { FetchResponse, MessageInput, ProduceRequest, ProduceResponse } from '../protocol/index.js'
import type { BrokerMetrics } from './metrics.js'
import type { Topics } from './topics.js'

const PRODUCE = 0
const FETCH = 1

export function countTraffic (metrics: BrokerMetrics, topics: Topics, apiKey: number, request: unknown, response: unknown): void {
  if (apiKey === PRODUCE) countProduce(metrics, request as ProduceRequest, response as MessageInput<ProduceResponse> | null)
  else if (apiKey === FETCH && response !== null) countFetch(metrics, topics, response as MessageInput<FetchResponse>)
}

function countProduce (metrics: BrokerMetrics, request: ProduceRequest, response: MessageInput<ProduceResponse> | null): void {
  // Indexed loops: entries() made an iterator and a pair per topic and partition of every Produce.
  for (let t = 0; t < request.topicData.length; t++) {
    const topicData = request.topicData[t]!
    const answers = response?.responses?.[t]?.partitionResponses
    for (let p = 0; p < topicData.partitionData.length; p++) {
      const data = topicData.partitionData[p]!
      const accepted = answers === undefined || (answers[p]?.errorCode ?? 0) === 0
      if (accepted && data.records !== null) metrics.batchesIn(topicData.name, data.records)
    }
  }
}

function countFetch (metrics: BrokerMetrics, topics: Topics, response: MessageInput<FetchResponse>): void {
  for (const answer of response.responses ?? []) {
    const name = answer.topic !== undefined && answer.topic !== '' ? answer.topic : topics.getById(answer.topicId ?? '')?.name
    if (name === undefined) continue
    for (const partition of answer.partitions ?? []) {
      const records = partition.records
      if (records === undefined || records === null) continue
      metrics.batchesOut(name, Array.isArray(records) ? records as Buffer[] : [records as Buffer])
    }
  }
}
