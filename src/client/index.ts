// Sluice's own Kafka client, on our protocol module: a lean producer and consumer for the CLI and the
// benchmarks, admin helpers, and group membership with the range assignor.
export { Admin, type ConfigEntry, type ConfigResource, type NewTopic, type OffsetSpec, type PartitionOffset, type QuotaEntity, type QuotaEntry } from './admin.js'
export {
  KafkaClient, parseBootstrap, type BrokerInfo, type ClientOptions, type ClusterInfo, type HostPort, type Lane,
  type MetadataOptions, type PartitionInfo, type TopicMetadata
} from './client.js'
export { KafkaConnection, type ConnectionOptions, type RequestOptions, type TlsOptions, type VersionRange } from './connection.js'
export { calls, type Call } from './calls.js'
export { Consumer, type ConsumedRecord, type ConsumerOptions, type StartOffset, type TopicPartitionOffset } from './consumer.js'
export { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription, type TopicPartitions } from './consumer-protocol.js'
export { BrokerUnreachableError, ConnectionError, UnsupportedApiError } from './errors.js'
export { GroupAdmin, type CommittedOffset, type GroupDescription, type GroupListing, type GroupMember } from './group-admin.js'
export { GroupConsumer, type CommitOffset, type GroupConsumerOptions } from './group-consumer.js'
export { Producer, type Compression, type ProducerOptions, type ProducerRecord, type RecordMetadata } from './producer.js'
export { SASL_MECHANISMS, type SaslCredentials } from './sasl.js'
export { rangeAssign, RANGE_ASSIGNOR, type AssignorMember } from './range-assignor.js'
