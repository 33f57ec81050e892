// `sluice cluster`: the cluster id, the controller, the brokers with their advertised addresses, and
// the Kafka API versions the bootstrap broker serves (the protocol carries no broker software version).
import { apiByKey } from '../protocol/index.js'
import { CLIENT_SOFTWARE_VERSION } from '../client/connection.js'
import { COMMON_HELP, parse, printJson, UsageError, withClient, writeOut } from './command.js'
import { fields, table } from './table.js'

export const CLUSTER_HELP = `Usage: sluice cluster [options]

Shows the cluster id, the controller, every broker at the address it advertises, and the Kafka APIs
(with version ranges) that the bootstrap broker serves.

${COMMON_HELP}`

export async function cluster (argv: string[]): Promise<void> {
  const { values, positionals } = parse('cluster', argv, {})
  if (values.help === true) return await writeOut(CLUSTER_HELP + '\n')
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0] as string}"`, 'cluster')
  await withClient(values, async client => {
    const info = await client.admin.describeCluster()
    const connection = await client.bootstrapConnection()
    const apis = connection.brokerApis().map(a => ({ ...a, name: apiByKey(a.apiKey)?.name ?? `key ${a.apiKey}` }))
    if (values.json === true) {
      await printJson({ ...info, apiVersions: apis, cliVersion: CLIENT_SOFTWARE_VERSION })
      return
    }
    await writeOut(fields([
      ['Cluster id', info.clusterId],
      ['Controller', info.controllerId],
      ['Bootstrap', connection.address],
      ['CLI version', `sluice ${CLIENT_SOFTWARE_VERSION}`]
    ]) + '\nBrokers:\n' + table(['ID', 'HOST', 'PORT', 'RACK'], info.brokers.map(b => [b.nodeId, b.host, b.port, b.rack])) +
      `\nKafka APIs served (${apis.length}):\n` + table(['KEY', 'API', 'VERSIONS'], apis.map(a => [a.apiKey, a.name, `${a.minVersion}-${a.maxVersion}`])))
  })
}
