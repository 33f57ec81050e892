// AlterUserScramCredentials · key 51 · v0 · flexible from v0
//   Upsertions carry the client's salt and salted password (never the password); the broker keeps the
//   salt, StoredKey and ServerKey derived from it (RFC 5802).
//   Not supported: nothing in the spec range.
import type { AlterUserScramCredentialsRequest, AlterUserScramCredentialsResponse } from '../schema/types.generated.js'
import { registerApi } from '../registry.js'
import { apiCodec } from './api-codec.js'

export const alterUserScramCredentialsApi = registerApi({ key: 51, name: 'AlterUserScramCredentials', minVersion: 0, maxVersion: 0, flexibleFrom: 0 })

const codec = apiCodec<AlterUserScramCredentialsRequest, AlterUserScramCredentialsResponse>(alterUserScramCredentialsApi)
export const decodeAlterUserScramCredentialsRequest = codec.decodeRequest
export const encodeAlterUserScramCredentialsResponse = codec.encodeResponse
export const encodeAlterUserScramCredentialsRequest = codec.encodeRequest
export const decodeAlterUserScramCredentialsResponse = codec.decodeResponse
