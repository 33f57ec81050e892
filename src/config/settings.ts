// The broker settings Sluice understands, under Kafka's names and with Kafka's defaults where the
// concept exists. One table drives parsing, validation, DescribeConfigs and the CLI help, so a
// setting cannot be accepted in one place and unknown in another.

export type SettingType = 'int' | 'long' | 'boolean' | 'string' | 'list' | 'double'

export interface SettingSpec {
  type: SettingType
  default: string | number | boolean
  min?: number
  max?: number
  /** Allowed values for enumerated strings (and a boolean that may take one value only). */
  oneOf?: readonly string[]
  /** The shape a free-form string must have. */
  pattern?: RegExp
  /** The topic-level config this broker setting is the default for (Kafka's "synonym"). */
  topicConfig?: string
  /** A password or private key (Kafka's PASSWORD type): DescribeConfigs answers it as sensitive, without its value. */
  sensitive?: boolean
  doc: string
}

const DAY_MS = 86_400_000
const INT32_MAX = 2_147_483_647

export const brokerSettings = {
  'node.id': { type: 'int', default: 0, min: 0, max: INT32_MAX, doc: 'this broker\'s id' },
  'log.dirs': { type: 'string', default: './sluice-data', doc: 'the data directory' },
  listeners: { type: 'string', default: 'PLAINTEXT://127.0.0.1:9092', doc: 'where the Kafka listeners bind: NAME://HOST:PORT, comma-separated' },
  'advertised.listeners': { type: 'string', default: '', doc: 'the addresses given to clients in Metadata, by listener name (defaults to listeners)' },
  'listener.security.protocol.map': { type: 'string', default: 'PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL', doc: 'each listener name\'s security protocol: PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL' },
  'controller.listener.names': { type: 'list', default: '', doc: 'listeners not bound: a single node has no controller quorum' },
  'sasl.enabled.mechanisms': { type: 'list', default: 'PLAIN', doc: 'SASL mechanisms of SASL_PLAINTEXT listeners: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER (Kafka\'s default GSSAPI is not supported)' },
  'sasl.server.max.receive.size': { type: 'int', default: 524_288, min: 1, max: INT32_MAX, doc: 'largest request frame before SASL authentication completes; a larger one closes the connection' },
  'connections.max.reauth.ms': { type: 'long', default: 0, min: 0, doc: 'SASL sessions last this long before the client must re-authenticate (0: forever)' },
  'sasl.oauthbearer.jwks.endpoint.url': { type: 'string', default: '', doc: 'OAUTHBEARER with OAuthBearerValidatorCallbackHandler: the JWKS that verifies token signatures (https:, http: or file: URL)' },
  'sasl.oauthbearer.jwks.endpoint.refresh.ms': { type: 'long', default: 3_600_000, min: 1, doc: 'OAUTHBEARER (JWKS validator): how often an https: JWKS is fetched again' },
  'sasl.oauthbearer.expected.audience': { type: 'list', default: '', doc: 'OAUTHBEARER (JWKS validator): a token\'s aud must name one of these; empty: a token must have no aud' },
  'sasl.oauthbearer.expected.issuer': { type: 'string', default: '', doc: 'OAUTHBEARER (JWKS validator): a token\'s iss must be this (empty: not checked)' },
  'sasl.oauthbearer.sub.claim.name': { type: 'string', default: 'sub', doc: 'OAUTHBEARER (JWKS validator): the claim naming the principal' },
  'sasl.oauthbearer.scope.claim.name': { type: 'string', default: 'scope', doc: 'OAUTHBEARER (JWKS validator): the claim holding the scope' },
  'sasl.oauthbearer.clock.skew.seconds': { type: 'int', default: 30, min: 0, max: INT32_MAX, doc: 'OAUTHBEARER (JWKS validator): clock skew allowed for exp and nbf' },
  // TLS (SSL and SASL_SSL listeners, src/broker/tls/tls-config.ts); each may be overridden per listener
  // (listener.name.<listener>.ssl.…). '' is Kafka's null.
  'ssl.keystore.type': { type: 'string', default: 'JKS', oneOf: ['JKS', 'PKCS12', 'PEM'], doc: 'format of ssl.keystore.location: JKS, PKCS12 (either reads either file, as in Java) or PEM' },
  'ssl.keystore.location': { type: 'string', default: '', doc: 'the key store file: the broker\'s private key and certificate chain' },
  'ssl.keystore.password': { type: 'string', default: '', sensitive: true, doc: 'the key store\'s password (not for PEM)' },
  'ssl.key.password': { type: 'string', default: '', sensitive: true, doc: 'the private key\'s password, if it differs from the key store\'s (PEM: the encrypted key\'s)' },
  'ssl.keystore.certificate.chain': { type: 'string', default: '', doc: 'the certificate chain, inline PEM (with ssl.keystore.type=PEM and ssl.keystore.key)' },
  'ssl.keystore.key': { type: 'string', default: '', sensitive: true, doc: 'the private key, inline PKCS#8 PEM (with ssl.keystore.type=PEM)' },
  'ssl.truststore.type': { type: 'string', default: 'JKS', oneOf: ['JKS', 'PKCS12', 'PEM'], doc: 'format of ssl.truststore.location: JKS, PKCS12 (either reads either file, as in Java) or PEM' },
  'ssl.truststore.location': { type: 'string', default: '', doc: 'the CA certificates client certificates are checked against (default: the system\'s)' },
  'ssl.truststore.password': { type: 'string', default: '', sensitive: true, doc: 'the trust store\'s password (checks its integrity; not for PEM)' },
  'ssl.truststore.certificates': { type: 'string', default: '', doc: 'trusted certificates, inline PEM (with ssl.truststore.type=PEM)' },
  'ssl.client.auth': { type: 'string', default: 'none', oneOf: ['none', 'requested', 'required'], doc: 'whether SSL listeners ask clients for a certificate (SASL_SSL: only as listener.name.<listener>.ssl.client.auth)' },
  'ssl.enabled.protocols': { type: 'list', default: 'TLSv1.2,TLSv1.3', doc: 'TLS versions accepted: TLSv1.2, TLSv1.3' },
  'ssl.protocol': { type: 'string', default: 'TLSv1.3', oneOf: ['TLS', 'TLSv1.2', 'TLSv1.3'], doc: 'no effect beyond validation: ssl.enabled.protocols picks the versions' },
  'ssl.cipher.suites': { type: 'list', default: '', doc: 'cipher suites, by IANA (Java) or OpenSSL name; empty: OpenSSL\'s defaults' },
  'ssl.principal.mapping.rules': { type: 'string', default: 'DEFAULT', doc: 'maps a client certificate\'s subject to a principal name: DEFAULT, or RULE:pattern/replacement/[LU], comma-separated' },
  'authorizer.class.name': { type: 'string', default: '', oneOf: ['', 'org.apache.kafka.metadata.authorizer.StandardAuthorizer', 'kafka.security.authorizer.AclAuthorizer'], doc: 'enforce ACLs (either Kafka authorizer\'s name: the same ACL semantics); empty: every client may do everything and the ACL APIs answer SECURITY_DISABLED' },
  'super.users': { type: 'string', default: '', pattern: /^\s*([^;:\s][^;:]*:[^;]+(;\s*[^;:\s][^;:]*:[^;]+)*)?\s*$/, doc: 'principals the authorizer allows everything, semicolon-separated (User:admin;User:bob)' },
  'allow.everyone.if.no.acl.found': { type: 'boolean', default: false, doc: 'with an authorizer, allow any client on a resource that has no ACL at all' },
  'num.partitions': { type: 'int', default: 1, min: 1, max: 100_000, doc: 'partitions of an auto-created topic' },
  'default.replication.factor': { type: 'int', default: 1, min: 1, max: 1, doc: 'replication factor of auto-created topics' },
  'auto.create.topics.enable': { type: 'boolean', default: true, doc: 'create unknown topics on Metadata/Produce' },
  'delete.topic.enable': { type: 'boolean', default: true, doc: 'allow DeleteTopics' },
  'message.max.bytes': { type: 'int', default: 1_048_588, min: 0, max: INT32_MAX, topicConfig: 'max.message.bytes', doc: 'largest record batch accepted' },
  'socket.request.max.bytes': { type: 'int', default: 104_857_600, min: 1, max: INT32_MAX, doc: 'largest request frame; a larger one closes the connection' },
  'connections.max.idle.ms': { type: 'long', default: 600_000, min: 0, doc: 'idle connections are closed after this' },
  'max.request.partition.size.limit': { type: 'int', default: 2000, min: 1, max: INT32_MAX, doc: 'most partitions in one DescribeTopicPartitions answer' },
  'quota.window.num': { type: 'int', default: 11, min: 1, max: 1000, doc: 'samples a client quota\'s rate is measured over' },
  'quota.window.size.seconds': { type: 'int', default: 1, min: 1, max: 3600, doc: 'length of each client quota sample' },
  'queued.max.requests': { type: 'int', default: 500, min: 1, doc: 'requests in flight per connection before reading pauses' },
  'log.segment.bytes': { type: 'int', default: 1_073_741_824, min: 14, max: INT32_MAX, topicConfig: 'segment.bytes', doc: 'segment size' },
  'log.roll.ms': { type: 'long', default: 7 * DAY_MS, min: 1, topicConfig: 'segment.ms', doc: 'roll a segment after this' },
  'log.index.interval.bytes': { type: 'int', default: 4096, min: 0, max: INT32_MAX, topicConfig: 'index.interval.bytes', doc: 'bytes between offset index entries' },
  'log.retention.ms': { type: 'long', default: 7 * DAY_MS, min: -1, topicConfig: 'retention.ms', doc: 'delete segments older than this (-1: keep)' },
  'log.retention.bytes': { type: 'long', default: -1, min: -1, topicConfig: 'retention.bytes', doc: 'delete old segments beyond this size per partition (-1: no limit)' },
  'log.retention.check.interval.ms': { type: 'long', default: 300_000, min: 1, doc: 'how often retention runs' },
  'log.cleaner.backoff.ms': { type: 'long', default: 15_000, min: 1, doc: 'how often each shard looks for compacted logs to clean' },
  'log.cleanup.policy': { type: 'list', default: 'delete', oneOf: ['delete', 'compact', 'compact,delete', 'delete,compact'], topicConfig: 'cleanup.policy', doc: 'delete and/or compact' },
  'log.flush.interval.messages': { type: 'long', default: Number.MAX_SAFE_INTEGER, min: 1, topicConfig: 'flush.messages', doc: 'fsync a partition once this many records are unsynced (1: before every acknowledgement)' },
  'log.flush.interval.ms': { type: 'long', default: Number.MAX_SAFE_INTEGER, min: 0, topicConfig: 'flush.ms', doc: 'fsync a partition once its oldest unsynced record is this old' },
  'log.message.timestamp.type': { type: 'string', default: 'CreateTime', oneOf: ['CreateTime', 'LogAppendTime'], topicConfig: 'message.timestamp.type', doc: 'whose clock stamps records' },
  'log.message.timestamp.before.max.ms': { type: 'long', default: Number.MAX_SAFE_INTEGER, min: 0, topicConfig: 'message.timestamp.before.max.ms', doc: 'refuse a CreateTime record stamped more than this before the broker\'s clock (INVALID_TIMESTAMP)' },
  'log.message.timestamp.after.max.ms': { type: 'long', default: Number.MAX_SAFE_INTEGER, min: 0, topicConfig: 'message.timestamp.after.max.ms', doc: 'refuse a CreateTime record stamped more than this after the broker\'s clock (INVALID_TIMESTAMP)' },
  'log.message.timestamp.difference.max.ms': { type: 'long', default: Number.MAX_SAFE_INTEGER, min: 0, topicConfig: 'message.timestamp.difference.max.ms', doc: 'deprecated in Kafka 3.6: both of the above at once; the smaller limit wins' },
  'compression.type': { type: 'string', default: 'producer', oneOf: ['producer', 'uncompressed', 'gzip', 'snappy', 'lz4', 'zstd'], topicConfig: 'compression.type', doc: 'how batches are stored' },
  'offsets.topic.num.partitions': { type: 'int', default: 50, min: 1, max: 1000, doc: 'partitions of __consumer_offsets' },
  'group.min.session.timeout.ms': { type: 'int', default: 6000, min: 0, max: INT32_MAX, doc: 'smallest session timeout a member may ask for' },
  'group.max.session.timeout.ms': { type: 'int', default: 1_800_000, min: 0, max: INT32_MAX, doc: 'largest session timeout a member may ask for' },
  'group.initial.rebalance.delay.ms': { type: 'int', default: 3000, min: 0, max: INT32_MAX, doc: 'how long the first rebalance of an empty group waits for more members' },
  'group.max.size': { type: 'int', default: INT32_MAX, min: 1, max: INT32_MAX, doc: 'members a consumer group may have' },
  'offsets.retention.minutes': { type: 'int', default: 10080, min: 1, max: INT32_MAX, doc: 'committed offsets of an empty group expire after this' },
  'offsets.retention.check.interval.ms': { type: 'long', default: 600_000, min: 1, doc: 'how often expired offsets are removed' },
  'offset.metadata.max.bytes': { type: 'int', default: 4096, min: 0, max: INT32_MAX, doc: 'largest metadata string of an offset commit' },
  'transaction.state.log.num.partitions': { type: 'int', default: 50, min: 1, max: 1000, doc: 'partitions of __transaction_state' },
  'transaction.max.timeout.ms': { type: 'int', default: 900_000, min: 1, max: INT32_MAX, doc: 'largest transaction timeout a producer may ask for' },
  'transaction.abort.timed.out.transaction.cleanup.interval.ms': { type: 'int', default: 10_000, min: 1, max: INT32_MAX, doc: 'how often transactions past their timeout are aborted' },
  'transactional.id.expiration.ms': { type: 'int', default: 604_800_000, min: 1, max: INT32_MAX, doc: 'a transactional id unused this long is forgotten' },
  'producer.id.expiration.ms': { type: 'int', default: DAY_MS, min: 1, max: INT32_MAX, doc: 'a producer\'s sequence state is dropped this long after its last write (no open transaction)' },
  'shards': { type: 'int', default: 0, min: 0, max: 256, doc: 'storage shard threads (0: one per core)' },
  'threads.sched.batch': { type: 'boolean', default: true, doc: 'run the broker\'s threads under Linux SCHED_BATCH (a woken thread does not preempt a running one: fewer context switches per request; false: the default policy). An embedded broker (startBroker) leaves its host process\'s policy alone unless this is set' },
  'http.enabled': { type: 'boolean', default: true, doc: 'serve the HTTP/WebSocket gateway (REST Proxy API, live streams, /metrics); off when authorizer.class.name is set (the gateway does not authenticate its clients)' },
  'http.host': { type: 'string', default: '127.0.0.1', doc: 'where the HTTP gateway binds' },
  'http.port': { type: 'int', default: 8080, min: -1, max: 65535, doc: 'HTTP gateway port (0: any free port, -1: no gateway)' },
  'http.max.body.bytes': { type: 'int', default: 16_777_216, min: 1024, max: INT32_MAX, doc: 'largest HTTP request body; a larger one is answered 413' },
  'http.consumer.instance.timeout.ms': { type: 'long', default: 300_000, min: 1000, doc: 'a REST consumer instance unused this long is deleted' },
  'http.consumer.request.max.bytes': { type: 'int', default: 67_108_864, min: 1024, max: INT32_MAX, doc: 'most record bytes one GET .../records answers' },
  'http.ws.max.message.bytes': { type: 'int', default: 8_388_608, min: 1024, max: INT32_MAX, doc: 'largest WebSocket message a client may send; larger closes the socket' },
  'http.ws.max.buffered.bytes': { type: 'int', default: 1_048_576, min: 1024, max: INT32_MAX, doc: 'pushes to a WebSocket pause while more than this is unsent' },
  'http.ws.slow.client.ms': { type: 'long', default: 30_000, min: 100, doc: 'a WebSocket paused this long while behind its streams is disconnected' }
} as const satisfies Record<string, SettingSpec>

/**
 * Kafka's coarser spellings of a millisecond setting: used only when the finer one is not given in
 * any source, as Kafka resolves them (log.retention.ms > log.retention.minutes > log.retention.hours).
 */
export const coarserSettings: Record<string, { target: BrokerSettingName, unitMs: number, finer: readonly string[] }> = {
  'log.retention.minutes': { target: 'log.retention.ms', unitMs: 60_000, finer: ['log.retention.ms'] },
  'log.retention.hours': { target: 'log.retention.ms', unitMs: 3_600_000, finer: ['log.retention.ms', 'log.retention.minutes'] },
  'log.roll.hours': { target: 'log.roll.ms', unitMs: 3_600_000, finer: ['log.roll.ms'] }
}

/**
 * Kafka broker settings that mean nothing for one Sluice node (clustering, replication, thread pools,
 * ZooKeeper, socket tuning): accepted so that a Kafka server.properties works unchanged, and named in
 * a start-up warning. Anything else unknown (a typo) still stops start-up.
 */
export const settingsWithoutEffect: Record<string, string> = Object.fromEntries([
  ...['broker.id', 'process.roles', 'controller.quorum.voters', 'controller.quorum.bootstrap.servers',
    'inter.broker.listener.name', 'inter.broker.protocol.version', 'sasl.mechanism.inter.broker.protocol', 'broker.rack', 'metadata.log.dir',
    'auto.leader.rebalance.enable', 'controlled.shutdown.enable', 'unclean.leader.election.enable', 'replica.lag.time.max.ms',
    'num.replica.fetchers', 'offsets.topic.replication.factor', 'transaction.state.log.replication.factor',
    'transaction.state.log.min.isr', 'share.coordinator.state.topic.replication.factor', 'share.coordinator.state.topic.min.isr',
    'min.insync.replicas'].map(key => [key, 'a single node has no cluster or replicas']),
  ...['log.index.size.max.bytes', 'log.roll.jitter.ms', 'log.roll.jitter.hours', 'log.segment.delete.delay.ms', 'log.preallocate',
    'log.message.downconversion.enable', 'log.message.format.version', 'compression.gzip.level', 'compression.lz4.level',
    'compression.zstd.level'].map(key => [key, 'Sluice sizes, rolls, deletes and stores segments itself (batches are kept as produced)']),
  ...['ssl.endpoint.identification.algorithm', 'ssl.keymanager.algorithm', 'ssl.trustmanager.algorithm', 'ssl.secure.random.implementation',
    'ssl.provider'].map(key => [key, 'Node\'s OpenSSL does the TLS (a broker checks no server name: that is for clients)']),
  ['sasl.jaas.config', 'a Kafka broker reads JAAS only from listener.name.<listener>.<mechanism>.sasl.jaas.config, as Sluice does'],
  ...['sasl.oauthbearer.jwks.endpoint.retry.backoff.ms', 'sasl.oauthbearer.jwks.endpoint.retry.backoff.max.ms']
    .map(key => [key, 'a failed JWKS fetch is tried again at the next refresh, or once a second when a token names an unknown key']),
  ...['sasl.oauthbearer.token.endpoint.url', 'sasl.login.callback.handler.class']
    .map(key => [key, 'OAUTHBEARER login (the client side) is for inter-broker connections, which a single node does not make']),
  ...['remote.log.storage.system.enable', 'log.local.retention.ms', 'log.local.retention.bytes'].map(key => [key, 'Sluice has no tiered storage']),
  ...['zookeeper.connect', 'zookeeper.connection.timeout.ms', 'zookeeper.session.timeout.ms'].map(key => [key, 'Sluice needs no ZooKeeper']),
  ...['num.network.threads', 'num.io.threads', 'background.threads', 'num.recovery.threads.per.data.dir', 'log.cleaner.threads',
    'socket.send.buffer.bytes', 'socket.receive.buffer.bytes', 'log.cleaner.enable', 'log.flush.scheduler.interval.ms',
    'log.flush.offset.checkpoint.interval.ms'].map(key => [key, 'Sluice sizes its threads, sockets and cleaner itself'])
])

export type BrokerSettingName = keyof typeof brokerSettings

/** Topic-level configs, Kafka's names; the broker setting that supplies each default (if any). */
export const topicConfigs: Record<string, { spec: SettingSpec; brokerSynonym?: BrokerSettingName }> = {
  'cleanup.policy': { spec: brokerSettings['log.cleanup.policy'], brokerSynonym: 'log.cleanup.policy' },
  'compression.type': { spec: brokerSettings['compression.type'], brokerSynonym: 'compression.type' },
  'max.message.bytes': { spec: brokerSettings['message.max.bytes'], brokerSynonym: 'message.max.bytes' },
  'message.timestamp.type': { spec: brokerSettings['log.message.timestamp.type'], brokerSynonym: 'log.message.timestamp.type' },
  'retention.ms': { spec: brokerSettings['log.retention.ms'], brokerSynonym: 'log.retention.ms' },
  'retention.bytes': { spec: brokerSettings['log.retention.bytes'], brokerSynonym: 'log.retention.bytes' },
  'segment.bytes': { spec: brokerSettings['log.segment.bytes'], brokerSynonym: 'log.segment.bytes' },
  'segment.ms': { spec: brokerSettings['log.roll.ms'], brokerSynonym: 'log.roll.ms' },
  'index.interval.bytes': { spec: brokerSettings['log.index.interval.bytes'], brokerSynonym: 'log.index.interval.bytes' },
  'min.insync.replicas': { spec: { type: 'int', default: 1, min: 1, doc: 'replicas that must acknowledge acks=all' } },
  'delete.retention.ms': { spec: { type: 'long', default: DAY_MS, min: 0, doc: 'how long tombstones are kept' } },
  'min.compaction.lag.ms': { spec: { type: 'long', default: 0, min: 0, doc: 'records younger than this are not compacted' } },
  'max.compaction.lag.ms': { spec: { type: 'long', default: Number.MAX_SAFE_INTEGER, min: 1, doc: 'records older than this are compacted' } },
  'min.cleanable.dirty.ratio': { spec: { type: 'double', default: 0.5, min: 0, max: 1, doc: 'dirty share that triggers compaction' } },
  'flush.messages': { spec: brokerSettings['log.flush.interval.messages'], brokerSynonym: 'log.flush.interval.messages' },
  'flush.ms': { spec: brokerSettings['log.flush.interval.ms'], brokerSynonym: 'log.flush.interval.ms' },
  'unclean.leader.election.enable': { spec: { type: 'boolean', default: false, doc: 'no effect on a single node' } },
  'message.timestamp.before.max.ms': { spec: brokerSettings['log.message.timestamp.before.max.ms'], brokerSynonym: 'log.message.timestamp.before.max.ms' },
  'message.timestamp.after.max.ms': { spec: brokerSettings['log.message.timestamp.after.max.ms'], brokerSynonym: 'log.message.timestamp.after.max.ms' },
  'message.timestamp.difference.max.ms': { spec: brokerSettings['log.message.timestamp.difference.max.ms'], brokerSynonym: 'log.message.timestamp.difference.max.ms' },
  // Kafka's other topic configs, accepted with Kafka's defaults and validation so that a topic created
  // for Kafka is created here too, but without effect: they tune what Sluice's storage does its own
  // way (index files, segment deletion, preallocation), what a single node has not (replication
  // throttles, tiered storage) or what Sluice never does (down-conversion, recompression).
  'segment.index.bytes': { spec: { type: 'int', default: 10_485_760, min: 4, max: INT32_MAX, doc: 'no effect: Sluice sizes its index files itself' } },
  'segment.jitter.ms': { spec: { type: 'long', default: 0, min: 0, doc: 'no effect: segments roll at segment.ms exactly' } },
  'file.delete.delay.ms': { spec: { type: 'long', default: 60_000, min: 0, doc: 'no effect: Sluice deletes a segment once no reader maps it' } },
  preallocate: { spec: { type: 'boolean', default: false, doc: 'no effect: segments grow as written' } },
  'message.downconversion.enable': { spec: { type: 'boolean', default: true, doc: 'no effect: Sluice serves only message format v2' } },
  // Kafka's version strings: 3.0-IV1, 2.8, and the 0.x releases in three or four parts (0.10.0.0)
  'message.format.version': { spec: { type: 'string', default: '3.0-IV1', pattern: /^[0-9]+(\.[0-9]+){1,3}(-IV[0-9]+)?$/, doc: 'no effect: Sluice stores message format v2 (deprecated in Kafka 3.0)' } },
  'compression.gzip.level': { spec: { type: 'int', default: -1, min: -1, max: 9, doc: 'no effect: batches are stored as the producer compressed them' } },
  'compression.lz4.level': { spec: { type: 'int', default: 9, min: 1, max: 17, doc: 'no effect: batches are stored as the producer compressed them' } },
  'compression.zstd.level': { spec: { type: 'int', default: 3, min: -131_072, max: 22, doc: 'no effect: batches are stored as the producer compressed them' } },
  'leader.replication.throttled.replicas': { spec: { type: 'list', default: '', doc: 'no effect on a single node' } },
  'follower.replication.throttled.replicas': { spec: { type: 'list', default: '', doc: 'no effect on a single node' } },
  'local.retention.ms': { spec: { type: 'long', default: -2, min: -2, doc: 'no effect: Sluice has no tiered storage' } },
  'local.retention.bytes': { spec: { type: 'long', default: -2, min: -2, doc: 'no effect: Sluice has no tiered storage' } },
  'remote.storage.enable': { spec: { type: 'boolean', default: false, oneOf: ['false'], doc: 'Sluice has no tiered storage: only false' } },
  'remote.log.copy.disable': { spec: { type: 'boolean', default: false, doc: 'no effect: Sluice has no tiered storage' } },
  'remote.log.delete.on.disable': { spec: { type: 'boolean', default: false, doc: 'no effect: Sluice has no tiered storage' } }
}

export class ConfigError extends Error {
  constructor (readonly key: string, readonly value: string, readonly allowed: string) {
    super(`invalid setting ${key}=${JSON.stringify(value)}: ${allowed}`)
    this.name = 'ConfigError'
  }
}

/** Parses and validates one value against its spec; throws ConfigError naming key, value and rule. */
export function parseSetting (key: string, spec: SettingSpec, raw: string): string | number | boolean {
  const value = raw.trim()
  switch (spec.type) {
    case 'boolean':
      if (spec.oneOf !== undefined && !spec.oneOf.includes(value)) throw new ConfigError(key, raw, `expected ${spec.oneOf.join(' or ')}`)
      if (value === 'true' || value === 'false') return value === 'true'
      throw new ConfigError(key, raw, 'expected true or false')
    case 'int':
    case 'long':
    case 'double': {
      const n = Number(value)
      const integral = spec.type !== 'double'
      if (value === '' || !Number.isFinite(n) || (integral && !Number.isInteger(n))) {
        throw new ConfigError(key, raw, `expected ${integral ? 'an integer' : 'a number'}${rangeText(spec)}`)
      }
      if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) {
        throw new ConfigError(key, raw, `out of range${rangeText(spec)}`)
      }
      // Kafka's Long.MAX_VALUE (its "never" / "no limit") is past a double's exact range: held as the
      // largest exact integer, which the storage core takes and DescribeConfigs shows as Long.MAX_VALUE.
      return spec.type === 'long' && n > Number.MAX_SAFE_INTEGER ? Number.MAX_SAFE_INTEGER : n
    }
    default:
      if (spec.oneOf !== undefined && !spec.oneOf.includes(value)) {
        throw new ConfigError(key, raw, `expected one of ${spec.oneOf.join(', ')}`)
      }
      if (spec.pattern !== undefined && !spec.pattern.test(value)) throw new ConfigError(key, raw, `expected a value matching ${String(spec.pattern)}`)
      return value
  }
}

function rangeText (spec: SettingSpec): string {
  if (spec.min !== undefined && spec.max !== undefined) return ` between ${spec.min} and ${spec.max}`
  if (spec.min !== undefined) return ` of at least ${spec.min}`
  if (spec.max !== undefined) return ` of at most ${spec.max}`
  return ''
}
