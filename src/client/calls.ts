// The requests the client makes: each pairs an API's registration with its request encoder and
// response decoder from the protocol layer, so a connection can negotiate the version and match the
// response without knowing the API.
import {
  alterClientQuotasApi, alterConfigsApi, apiVersionsApi, createPartitionsApi, createTopicsApi, decodeAlterClientQuotasResponse, decodeAlterConfigsResponse,
  decodeApiVersionsResponse, decodeCreatePartitionsResponse, decodeCreateTopicsResponse, decodeDeleteGroupsResponse,
  decodeDeleteTopicsResponse, decodeDescribeClusterResponse, decodeDescribeConfigsResponse, decodeDescribeGroupsResponse,
  decodeDescribeLogDirsResponse, decodeFetchResponse, decodeFindCoordinatorResponse, decodeHeartbeatResponse,
  decodeIncrementalAlterConfigsResponse, decodeJoinGroupResponse, decodeLeaveGroupResponse, decodeListGroupsResponse,
  decodeListOffsetsResponse, decodeMetadataResponse, decodeOffsetCommitResponse, decodeOffsetFetchResponse,
  decodeProduceResponse, decodeSyncGroupResponse, deleteGroupsApi, deleteTopicsApi, describeClusterApi,
  describeClientQuotasApi, describeConfigsApi, describeGroupsApi, describeLogDirsApi, decodeDescribeClientQuotasResponse,
  encodeAlterClientQuotasRequest, encodeAlterConfigsRequest, encodeDescribeClientQuotasRequest, encodeApiVersionsRequest,
  encodeCreatePartitionsRequest, encodeCreateTopicsRequest, encodeDeleteGroupsRequest, encodeDeleteTopicsRequest,
  encodeDescribeClusterRequest, encodeDescribeConfigsRequest, encodeDescribeGroupsRequest, encodeDescribeLogDirsRequest,
  encodeFetchRequest, encodeFindCoordinatorRequest, encodeHeartbeatRequest, encodeIncrementalAlterConfigsRequest,
  encodeJoinGroupRequest, encodeLeaveGroupRequest, encodeListGroupsRequest, encodeListOffsetsRequest,
  encodeMetadataRequest, encodeOffsetCommitRequest, encodeOffsetFetchRequest, encodeProduceRequest,
  encodeSyncGroupRequest, fetchApi, findCoordinatorApi, heartbeatApi, incrementalAlterConfigsApi, joinGroupApi,
  leaveGroupApi, listGroupsApi, listOffsetsApi, metadataApi, offsetCommitApi, offsetFetchApi, produceApi, syncGroupApi,
  saslAuthenticateApi, saslHandshakeApi, encodeSaslHandshakeRequest, decodeSaslHandshakeResponse, encodeSaslAuthenticateRequest,
  decodeSaslAuthenticateResponse, describeUserScramCredentialsApi, encodeDescribeUserScramCredentialsRequest,
  decodeDescribeUserScramCredentialsResponse, alterUserScramCredentialsApi, encodeAlterUserScramCredentialsRequest,
  decodeAlterUserScramCredentialsResponse, createAclsApi, encodeCreateAclsRequest, decodeCreateAclsResponse, describeAclsApi,
  encodeDescribeAclsRequest, decodeDescribeAclsResponse, deleteAclsApi, encodeDeleteAclsRequest, decodeDeleteAclsResponse,
  type ApiRegistration, type Reader, type RequestHeaderInput
} from '../protocol/index.js'

/** `In` is what the encoder accepts (a MessageInput of the request type), `Res` the decoded response. */
export interface Call<In, Res> {
  readonly api: ApiRegistration
  readonly encode: (message: In, version: number, header: RequestHeaderInput) => Buffer[]
  readonly decode: (body: Reader | Buffer, version: number) => Res
}

function call<In, Res> (
  api: ApiRegistration,
  encode: Call<In, Res>['encode'],
  decode: Call<In, Res>['decode']
): Call<In, Res> {
  return { api, encode, decode }
}

export const calls = {
  produce: call(produceApi, encodeProduceRequest, decodeProduceResponse),
  fetch: call(fetchApi, encodeFetchRequest, decodeFetchResponse),
  listOffsets: call(listOffsetsApi, encodeListOffsetsRequest, decodeListOffsetsResponse),
  metadata: call(metadataApi, encodeMetadataRequest, decodeMetadataResponse),
  offsetCommit: call(offsetCommitApi, encodeOffsetCommitRequest, decodeOffsetCommitResponse),
  offsetFetch: call(offsetFetchApi, encodeOffsetFetchRequest, decodeOffsetFetchResponse),
  findCoordinator: call(findCoordinatorApi, encodeFindCoordinatorRequest, decodeFindCoordinatorResponse),
  joinGroup: call(joinGroupApi, encodeJoinGroupRequest, decodeJoinGroupResponse),
  heartbeat: call(heartbeatApi, encodeHeartbeatRequest, decodeHeartbeatResponse),
  leaveGroup: call(leaveGroupApi, encodeLeaveGroupRequest, decodeLeaveGroupResponse),
  syncGroup: call(syncGroupApi, encodeSyncGroupRequest, decodeSyncGroupResponse),
  describeGroups: call(describeGroupsApi, encodeDescribeGroupsRequest, decodeDescribeGroupsResponse),
  listGroups: call(listGroupsApi, encodeListGroupsRequest, decodeListGroupsResponse),
  apiVersions: call(apiVersionsApi, encodeApiVersionsRequest, decodeApiVersionsResponse),
  saslHandshake: call(saslHandshakeApi, encodeSaslHandshakeRequest, decodeSaslHandshakeResponse),
  saslAuthenticate: call(saslAuthenticateApi, encodeSaslAuthenticateRequest, decodeSaslAuthenticateResponse),
  describeUserScramCredentials: call(describeUserScramCredentialsApi, encodeDescribeUserScramCredentialsRequest, decodeDescribeUserScramCredentialsResponse),
  alterUserScramCredentials: call(alterUserScramCredentialsApi, encodeAlterUserScramCredentialsRequest, decodeAlterUserScramCredentialsResponse),
  createAcls: call(createAclsApi, encodeCreateAclsRequest, decodeCreateAclsResponse),
  describeAcls: call(describeAclsApi, encodeDescribeAclsRequest, decodeDescribeAclsResponse),
  deleteAcls: call(deleteAclsApi, encodeDeleteAclsRequest, decodeDeleteAclsResponse),
  createTopics: call(createTopicsApi, encodeCreateTopicsRequest, decodeCreateTopicsResponse),
  deleteTopics: call(deleteTopicsApi, encodeDeleteTopicsRequest, decodeDeleteTopicsResponse),
  describeConfigs: call(describeConfigsApi, encodeDescribeConfigsRequest, decodeDescribeConfigsResponse),
  alterConfigs: call(alterConfigsApi, encodeAlterConfigsRequest, decodeAlterConfigsResponse),
  describeLogDirs: call(describeLogDirsApi, encodeDescribeLogDirsRequest, decodeDescribeLogDirsResponse),
  createPartitions: call(createPartitionsApi, encodeCreatePartitionsRequest, decodeCreatePartitionsResponse),
  deleteGroups: call(deleteGroupsApi, encodeDeleteGroupsRequest, decodeDeleteGroupsResponse),
  incrementalAlterConfigs: call(incrementalAlterConfigsApi, encodeIncrementalAlterConfigsRequest, decodeIncrementalAlterConfigsResponse),
  describeCluster: call(describeClusterApi, encodeDescribeClusterRequest, decodeDescribeClusterResponse),
  describeClientQuotas: call(describeClientQuotasApi, encodeDescribeClientQuotasRequest, decodeDescribeClientQuotasResponse),
  alterClientQuotas: call(alterClientQuotasApi, encodeAlterClientQuotasRequest, decodeAlterClientQuotasResponse)
} as const
