// DescribeUserScramCredentials: each user's SCRAM mechanisms and iteration counts, never the keys.
// As Kafka's ScramImage.describe: no users (null or empty) lists every user with a credential; a
// user named twice is DUPLICATE_RESOURCE, one without any credential RESOURCE_NOT_FOUND.
import {
  decodeDescribeUserScramCredentialsRequest, describeUserScramCredentialsApi, encodeDescribeUserScramCredentialsResponse, ErrorCode,
  type DescribeUserScramCredentialsRequest, type DescribeUserScramCredentialsResponse
} from '../../protocol/index.js'
import { AclOperation } from '../acl/bindings.js'
import { clusterAllowed } from '../acl/check.js'
import { defineHandler } from '../handler.js'
import { SCRAM } from '../sasl/mechanisms.js'

export const describeUserScramCredentialsHandler = defineHandler<DescribeUserScramCredentialsRequest, DescribeUserScramCredentialsResponse>({
  api: describeUserScramCredentialsApi,
  decode: decodeDescribeUserScramCredentialsRequest,
  encode: encodeDescribeUserScramCredentialsResponse,
  handle ({ users }, context) {
    const { broker } = context
    // With an authorizer, DESCRIBE on the cluster.
    if (!clusterAllowed(context, AclOperation.DESCRIBE)) return { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'Cluster authorization failed.', results: [] }
    const named = users === null || users.length === 0 ? [...broker.scram.entries()].map(([user]) => user) : users.map(u => u.name)
    const results = [...new Set(named)].map(user => {
      if (named.indexOf(user) !== named.lastIndexOf(user)) {
        return { user, errorCode: ErrorCode.DUPLICATE_RESOURCE, errorMessage: `Cannot describe SCRAM credentials for the same user twice in a single request: ${user}`, credentialInfos: [] }
      }
      const credentials = broker.scram.credentialsOf(user)
      if (credentials === undefined) {
        return { user, errorCode: ErrorCode.RESOURCE_NOT_FOUND, errorMessage: `Attempt to describe a user credential that does not exist: ${user}`, credentialInfos: [] }
      }
      const credentialInfos = [...credentials].map(([mechanism, c]) => ({ mechanism: SCRAM[mechanism].type, iterations: c.iterations }))
      return { user, errorCode: ErrorCode.NONE, errorMessage: null, credentialInfos }
    })
    return { errorCode: ErrorCode.NONE, errorMessage: null, results }
  }
})
