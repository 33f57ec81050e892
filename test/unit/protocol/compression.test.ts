import { describe, expect, it } from 'vitest'
import { gzipSync } from 'node:zlib'
import * as snappy from 'snappy'
import * as zstdNapi from 'zstd-napi'
import { CompressionCodec, CompressionError, compress, decompress } from '../../../src/protocol/codec/compression.js'

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00])
const CODECS = [CompressionCodec.GZIP, CompressionCodec.SNAPPY, CompressionCodec.LZ4, CompressionCodec.ZSTD]

/** A xerial snappy-java stream built by hand from raw snappy blocks, as SnappyOutputStream writes it. */
function xerialStream (data: Buffer, blockSize: number): Buffer {
  const header = Buffer.alloc(16)
  XERIAL_MAGIC.copy(header)
  header.writeInt32BE(1, 8)
  header.writeInt32BE(1, 12)
  const parts: Buffer[] = [header]
  for (let pos = 0; pos < data.length; pos += blockSize) {
    const block = snappy.compressSync(data.subarray(pos, pos + blockSize))
    const length = Buffer.alloc(4)
    length.writeInt32BE(block.length)
    parts.push(length, block)
  }
  return Buffer.concat(parts)
}

describe('compression codecs', () => {
  it.each(CODECS)('codec %i round-trips empty, small and 1 MB inputs', (codec) => {
    for (const data of [Buffer.alloc(0), Buffer.from('hello kafka'), sampleData(1024 * 1024)]) {
      expect(decompress(codec, compress(codec, data)).equals(data)).toBe(true)
    }
  })

  it('codec 0 passes the bytes through untouched', () => {
    const data = Buffer.from('plain')
    expect(compress(CompressionCodec.NONE, data)).toBe(data)
    expect(decompress(CompressionCodec.NONE, data)).toBe(data)
  })

  it.each([5, 6, 7, -1])('codec %i is rejected with a clear error', (codec) => {
    expect(() => compress(codec, Buffer.from('x'))).toThrow(/unsupported compression codec/)
    expect(() => decompress(codec, Buffer.from('x'))).toThrow(CompressionError)
  })

  it('snappy compresses to one raw block, which every client reads', () => {
    const data = sampleData(100_000)
    const out = compress(CompressionCodec.SNAPPY, data)
    expect(out.subarray(0, 8).equals(XERIAL_MAGIC)).toBe(false)
    expect(snappy.uncompressSync(out, { asBuffer: true })).toEqual(data)
  })

  it('snappy decompresses a raw block as librdkafka writes it', () => {
    const data = sampleData(200_000)
    expect(decompress(CompressionCodec.SNAPPY, snappy.compressSync(data)).equals(data)).toBe(true)
  })

  it('snappy decompresses xerial streams with any block size', () => {
    const data = sampleData(100_000)
    for (const blockSize of [1000, 32 * 1024, 200_000]) {
      expect(decompress(CompressionCodec.SNAPPY, xerialStream(data, blockSize)).equals(data)).toBe(true)
    }
  })

  it('snappy rejects a xerial stream whose last block is cut short', () => {
    const stream = xerialStream(sampleData(50_000), 32 * 1024)
    expect(() => decompress(CompressionCodec.SNAPPY, stream.subarray(0, stream.length - 10))).toThrow(/snappy data is truncated/)
  })

  it('lz4 writes the frame options of the Java client: 64 KiB independent blocks, no checksums', () => {
    const out = compress(CompressionCodec.LZ4, sampleData(1000))
    expect(out.readUInt32LE(0)).toBe(0x184d2204)
    expect(out[4]).toBe(0x60) // version 01, block independence, no block/content checksum, no size
    expect(out[5]).toBe(0x40) // 64 KiB maximum block size
  })

  it('lz4 decodes liblz4 frames with linked blocks, checksums and content size', () => {
    const expected = sampleData(70_000)
    expect(decompress(CompressionCodec.LZ4, Buffer.from(LZ4_LINKED_BLOCKS, 'base64')).equals(expected)).toBe(true)
    expect(decompress(CompressionCodec.LZ4, Buffer.from(LZ4_INDEPENDENT_BLOCKS, 'base64')).equals(expected)).toBe(true)
  })

  it('zstd decodes a streamed frame that declares no content size', () => {
    const frame = Buffer.from(ZSTD_STREAMED, 'base64')
    expect(decompress(CompressionCodec.ZSTD, frame).equals(sampleData(70_000))).toBe(true)
  })

  it('zstd decodes several concatenated frames', () => {
    const a = sampleData(5000)
    const b = Buffer.from('second frame')
    const joined = Buffer.concat([zstdNapi.compress(a), zstdNapi.compress(b)])
    expect(decompress(CompressionCodec.ZSTD, joined).equals(Buffer.concat([a, b]))).toBe(true)
  })

  it.each(CODECS)('codec %i rejects truncated data with a CompressionError', (codec) => {
    const packed = compress(codec, sampleData(100_000))
    expect(() => decompress(codec, packed.subarray(0, packed.length >> 1))).toThrow(CompressionError)
  })

  it('zstd rejects a streamed frame that is cut short, and the shared context still works after it', () => {
    const frame = Buffer.from(ZSTD_STREAMED, 'base64')
    expect(() => decompress(CompressionCodec.ZSTD, frame.subarray(0, frame.length - 8))).toThrow(CompressionError)
    expect(() => decompress(CompressionCodec.ZSTD, frame, 1000)).toThrow(/limit/)
    expect(decompress(CompressionCodec.ZSTD, frame).equals(sampleData(70_000))).toBe(true)
  })

  it.each(CODECS)('codec %i refuses output over the size limit', (codec) => {
    const packed = compress(codec, Buffer.alloc(4 * 1024 * 1024))
    expect(() => decompress(codec, packed, 512 * 1024)).toThrow(/limit/)
    expect(decompress(codec, packed, 4 * 1024 * 1024)).toHaveLength(4 * 1024 * 1024)
  })

  it('the size limit holds for gzip, streamed zstd and raw snappy written by other encoders', () => {
    const zeros = Buffer.alloc(3 * 1024 * 1024)
    expect(() => decompress(CompressionCodec.GZIP, gzipSync(zeros), 1024 * 1024)).toThrow(/limit/)
    expect(() => decompress(CompressionCodec.SNAPPY, snappy.compressSync(zeros), 1024 * 1024)).toThrow(/limit/)
    expect(() => decompress(CompressionCodec.ZSTD, Buffer.from(ZSTD_STREAMED, 'base64'), 60_000)).toThrow(/limit/)
  })

  it('a snappy block declaring 4 GiB is refused from its preamble, before any allocation', () => {
    const bomb = Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x00])
    expect(() => decompress(CompressionCodec.SNAPPY, bomb)).toThrow(/decompresses to 4294967295 bytes, over the/)
  })

  it('an lz4 frame declaring a 1 TiB content size is refused from its header', () => {
    const header = Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x68, 0x40, 0, 0, 0, 0, 0, 1, 0, 0, 0x00, 0, 0, 0, 0])
    expect(() => decompress(CompressionCodec.LZ4, header)).toThrow(/decompresses to 1099511627776 bytes/)
  })

  it('an lz4 frame of many tiny 4 MiB blocks is refused from its block sizes', () => {
    // Each block claims 64 compressed bytes; at 255:1 that is up to 16 KiB each, 2000 of them ≈ 32 MiB.
    const blocks: Buffer[] = [Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x60, 0x70, 0x00])]
    for (let i = 0; i < 2000; i++) blocks.push(Buffer.from([64, 0, 0, 0]), Buffer.alloc(64))
    blocks.push(Buffer.alloc(4))
    expect(() => decompress(CompressionCodec.LZ4, Buffer.concat(blocks), 1024 * 1024)).toThrow(/over the 1048576-byte limit/)
  })
})

// Frames written by the reference C implementations (liblz4 1.9.4 and zstd 1.5.4 command-line
// tools, the libraries librdkafka links) from sampleData(70_000): `lz4 -B4 -BD -BX --content-size`
// (64 KiB linked blocks, block checksums, content size, content checksum), `lz4 -B4 --no-frame-crc`
// (independent blocks), and `zstd -c < file` (streamed: the frame header carries no content size).
const LZ4_LINKED_BLOCKS = [
  'BCJNGFxAcBEBAAAAAADj8gQAAP/////c3ARlqh+tHVra5awbHl8TcHls/RD/Ga9gHQSstB0CK0Z4czry31+utwhZ0e45EMtI',
  'lbXMiSkR/wa2Yi7fPPk1/UuUKMoJfESzAl6WX7PqbazULYFuaa/g5odMnATn0jZdLGDJ6vR59oag65Mm5GIS1Q3Ls3cVamo6',
  'aLqO23QIRp7zzrMK+NDdaLv4X/ok8tL8GIf7XIe6tDgypZsbPRB893jWf+Jt+BGRKX6TlcsSxVfOWvHUFhjXGbwEW36ZZfGi',
  'lHHEKqxqqTjEdcetMjgCHwU7LJka/OsV3s9ouuB8vNYelxuaC52+l2PTkvyv36KMlyNFYuvdB2Vw/1iJas/3yu4/HOnkCmjl',
  '3pONOJx9vddbCdTn4jNEP0qMxKGQ1ri43GFf0Y4ovlkOqlAbUIpqNinmcN9Vd7rcRG1Du6kIF9bA9nsIYXDZLckSclskfsLi',
  '2rGyBJ4ggHQ3mm+QDN0uXnL1CUi2WNGX6cOMsW7T3RJEYjIMFKevP/oM3tYTzhOGy1egR+RbvtFFtDbViP7SAEHyh7EPg190',
  'ZbooRhZS34iiE9m/Qu+3EbXeB3/JebrjqFhKqegtqE1QneaYa+Kpms8hTGYqjNWQETeYZ4m7rfNRjROt9RyhAZSssIRs9Yr1',
  'KnqR9fOrL4YyuoFFID3DZxSIenWQyGPHB+AewnADmtGLFj8k9sPeK+9dWtHmdhN5ykIWuRCqBdmDMMcKz4XwZsvs76yJTPq3',
  'Hxi6wzTftmBKsoAyzTmhbt+URBTh86bswfQ5QwbAm2Kd4zrTYe/DU2vQT5Yf7k298wUtl/7E0ZtFJ7SixJTYZD64cbnEH1OL',
  'CJUcnl9AIf+XehpNf3CMqy98+oAbQsr124z5LLjmfkH2+X8B5Kg2baTsou26cO1UV+ugl2NBiU1NWWjmkrxcqw7zEHkGnaU9',
  '8VJdLgk7Dc6WbUGe9QospGsWVp2sGgQCKXtmvR2Xg6hWpeXKw0kEUML6c00oFMwxDbxdC1x4j34eihqFgQ/r5qvc0HdBFOkU',
  'tYnPXFPYgS4LQxPm/EwVV8UXxIiKffMvyO+379kR1VBGEuyC0M1i0T2hEOjjEa3G9hr7gJFYs7uF1zHo5brgPk6OY3n3a4lU',
  'fNDux2o8cACJjFgj7RhFwruM2Bu8hiEUo/TM9x4rC+2fyEM850d2QFdlcyv2Nb98QQRCQLbusQwfPb+2n4UD1n2Ap/+0qta9',
  'NpzjTgQpOiHvOgcQK2moXJlg02zR8IdF8fC0yCfcqa8AKUFGb2nN6Z0jwEF0cB096Vah0gzksHPQEQBPm1UHTowFJcmQb5IL',
  'JLkFjOd6KefnFcGhqNqVmOgD////////////////////////////////////////////////////////////////////////',
  '////////////////////////////////////////////////////////////////////////////////////////////////',
  '////////////////////////////////////////////////////////////////////////////////////////////////',
  '/////////////////////////////////////////////////////////////////////////FC5EKoF2Sv5w3MbAAAAD+j9',
  '//////////////////////9pUKGo2pWYDbYEhAAAAADmclpM'
].join('')

const LZ4_INDEPENDENT_BLOCKS = [
  'BCJNGGBAgvIEAAD/////3NwEZaofrR1a2uWsGx5fE3B5bP0Q/xmvYB0ErLQdAitGeHM68t9frrcIWdHuORDLSJW1zIkpEf8G',
  'tmIu3zz5Nf1LlCjKCXxEswJell+z6m2s1C2Bbmmv4OaHTJwE59I2XSxgyer0efaGoOuTJuRiEtUNy7N3FWpqOmi6jtt0CEae',
  '886zCvjQ3Wi7+F/6JPLS/BiH+1yHurQ4MqWbGz0QfPd41n/ibfgRkSl+k5XLEsVXzlrx1BYY1xm8BFt+mWXxopRxxCqsaqk4',
  'xHXHrTI4Ah8FOyyZGvzrFd7PaLrgfLzWHpcbmgudvpdj05L8r9+ijJcjRWLr3QdlcP9YiWrP98ruPxzp5Apo5d6TjTicfb3X',
  'WwnU5+IzRD9KjMShkNa4uNxhX9GOKL5ZDqpQG1CKajYp5nDfVXe63ERtQ7upCBfWwPZ7CGFw2S3JEnJbJH7C4tqxsgSeIIB0',
  'N5pvkAzdLl5y9QlItljRl+nDjLFu090SRGIyDBSnrz/6DN7WE84ThstXoEfkW77RRbQ21Yj+0gBB8oexD4NfdGW6KEYWUt+I',
  'ohPZv0LvtxG13gd/yXm646hYSqnoLahNUJ3mmGviqZrPIUxmKozVkBE3mGeJu63zUY0TrfUcoQGUrLCEbPWK9Sp6kfXzqy+G',
  'MrqBRSA9w2cUiHp1kMhjxwfgHsJwA5rRixY/JPbD3ivvXVrR5nYTecpCFrkQqgXZgzDHCs+F8GbL7O+siUz6tx8YusM037Zg',
  'SrKAMs05oW7flEQU4fOm7MH0OUMGwJtineM602Hvw1Nr0E+WH+5NvfMFLZf+xNGbRSe0osSU2GQ+uHG5xB9TiwiVHJ5fQCH/',
  'l3oaTX9wjKsvfPqAG0LK9duM+Sy45n5B9vl/AeSoNm2k7KLtunDtVFfroJdjQYlNTVlo5pK8XKsO8xB5Bp2lPfFSXS4JOw3O',
  'lm1BnvUKLKRrFladrBoEAil7Zr0dl4OoVqXlysNJBFDC+nNNKBTMMQ28XQtceI9+HooahYEP6+ar3NB3QRTpFLWJz1xT2IEu',
  'C0MT5vxMFVfFF8SIin3zL8jvt+/ZEdVQRhLsgtDNYtE9oRDo4xGtxvYa+4CRWLO7hdcx6OW64D5OjmN592uJVHzQ7sdqPHAA',
  'iYxYI+0YRcK7jNgbvIYhFKP0zPceKwvtn8hDPOdHdkBXZXMr9jW/fEEEQkC27rEMHz2/tp+FA9Z9gKf/tKrWvTac404EKToh',
  '7zoHECtpqFyZYNNs0fCHRfHwtMgn3KmvAClBRm9pzemdI8BBdHAdPelWodIM5LBz0BEAT5tVB06MBSXJkG+SCyS5BYzneinn',
  '5xXBoajalZjoA///////////////////////////////////////////////////////////////////////////////////',
  '////////////////////////////////////////////////////////////////////////////////////////////////',
  '////////////////////////////////////////////////////////////////////////////////////////////////',
  '//////////////////////////////////////////////////////////////xQuRCqBdkDBAAA/////9yDMMcKz4XwZsvs',
  '76yJTPq3Hxi6wzTftmBKsoAyzTmhbt+URBTh86bswfQ5QwbAm2Kd4zrTYe/DU2vQT5Yf7k298wUtl/7E0ZtFJ7SixJTYZD64',
  'cbnEH1OLCJUcnl9AIf+XehpNf3CMqy98+oAbQsr124z5LLjmfkH2+X8B5Kg2baTsou26cO1UV+ugl2NBiU1NWWjmkrxcqw7z',
  'EHkGnaU98VJdLgk7Dc6WbUGe9QospGsWVp2sGgQCKXtmvR2Xg6hWpeXKw0kEUML6c00oFMwxDbxdC1x4j34eihqFgQ/r5qvc',
  '0HdBFOkUtYnPXFPYgS4LQxPm/EwVV8UXxIiKffMvyO+379kR1VBGEuyC0M1i0T2hEOjjEa3G9hr7gJFYs7uF1zHo5brgPk6O',
  'Y3n3a4lUfNDux2o8cACJjFgj7RhFwruM2Bu8hiEUo/TM9x4rC+2fyEM850d2QFdlcyv2Nb98QQRCQLbusQwfPb+2n4UD1n2A',
  'p/+0qta9NpzjTgQpOiHvOgcQK2moXJlg02zR8IdF8fC0yCfcqa8AKUFGb2nN6Z0jwEF0cB096Vah0gzksHPQEQBPm1UHTowF',
  'JcmQb5ILJLkFjOd6KefnFcGhqNqVmNwEZaofrR1a2uWsGx5fE3B5bP0Q/xmvYB0ErLQdAitGeHM68t9frrcIWdHuORDLSJW1',
  'zIkpEf8GtmIu3zz5Nf1LlCjKCXxEswJell+z6m2s1C2Bbmmv4OaHTJwE59I2XSxgyer0efaGoOuTJuRiEtUNy7N3FWpqOmi6',
  'jtt0CEae886zCvjQ3Wi7+F/6JPLS/BiH+1yHurQ4MqWbGz0QfPd41n/ibfgRkSl+k5XLEsVXzlrx1BYY1xm8BFt+mWXxopRx',
  'xCqsaqk4xHXHrTI4Ah8FOyyZGvzrFd7PaLrgfLzWHpcbmgudvpdj05L8r9+ijJcjRWLr3QdlcP9YiWrP98ruPxzp5Apo5d6T',
  'jTicfb3XWwnU5+IzRD9KjMShkNa4uNxhX9GOKL5ZDqpQG1CKajYp5nDfVXe63ERtQ7upCBfWwPZ7CGFw2S3JEnJbJH7C4tqx',
  'sgSeIIB0N5pvkAzdLl5y9QlItljRl+nDjLFu090SRGIyDBSnrz/6DN7WE84ThstXoEfkW77RRbQ21Yj+0gBB8oexD4NfdGW6',
  'KEYWUt+IohPZv0LvtxG13gd/yXm646hYSqnoLahNUJ3mmGviqZrPIUxmKozVkBE3mGeJu63zUY0TrfUcoQGUrLCEbPWK9Sp6',
  'kfXzqy+GMrqBRSA9w2cUiHp1kMhjxwfgHsJwA5rRixY/JPbD3ivvXVrR5nYTecpCFrkQqgXZ6AP/////////////////fVCh',
  'qNqVmAAAAAA='
].join('')

const ZSTD_STREAMED = [
  'KLUv/QRYnR8AhD7cBGWqH60dWtrlrBseXxNweWz9EP8Zr2AdBKy0HQIrRnhzOvLfX663CFnR7jkQy0iVtcyJKRH/BrZiLt88',
  '+TX9S5Qoygl8RLMCXpZfs+ptrNQtgW5pr+Dmh0ycBOfSNl0sYMnq9Hn2hqDrkybkYhLVDcuzdxVqajpouo7bdAhGnvPOswr4',
  '0N1ou/hf+iTy0vwYh/tch7q0ODKlmxs9EHz3eNZ/4m34EZEpfpOVyxLFV85a8dQWGNcZvARbfpll8aKUccQqrGqpOMR1x60y',
  'OAIfBTssmRr86xXez2i64Hy81h6XG5oLnb6XY9OS/K/fooyXI0Vi690HZXD/WIlqz/fK7j8c6eQKaOXek404nH2911sJ1Ofi',
  'M0Q/SozEoZDWuLjcYV/Rjii+WQ6qUBtQimo2KeZw31V3utxEbUO7qQgX1sD2ewhhcNktyRJyWyR+wuLasbIEniCAdDeab5AM',
  '3S5ecvUJSLZY0Zfpw4yxbtPdEkRiMgwUp68/+gze1hPOE4bLV6BH5Fu+0UW0NtWI/tIAQfKHsQ+DX3RluihGFlLfiKIT2b9C',
  '77cRtd4Hf8l5uuOoWEqp6C2oTVCd5phr4qmazyFMZiqM1ZARN5hnibut81GNE631HKEBlKywhGz1ivUqepH186svhjK6gUUg',
  'PcNnFIh6dZDIY8cH4B7CcAOa0YsWPyT2w94r711a0eZ2E3nKQha5EKoF2YMwxwrPhfBmy+zvrIlM+rcfGLrDNN+2YEqygDLN',
  'OaFu35REFOHzpuzB9DlDBsCbYp3jOtNh78NTa9BPlh/uTb3zBS2X/sTRm0UntKLElNhkPrhxucQfU4sIlRyeX0Ah/5d6Gk1/',
  'cIyrL3z6gBtCyvXbjPksuOZ+Qfb5fwHkqDZtpOyi7bpw7VRX66CXY0GJTU1ZaOaSvFyrDvMQeQadpT3xUl0uCTsNzpZtQZ71',
  'CiykaxZWnawaBAIpe2a9HZeDqFal5crDSQRQwvpzTSgUzDENvF0LXHiPfh6KGoWBD+vmq9zQd0EU6RS1ic9cU9iBLgtDE+b8',
  'TBVXxRfEiIp98y/I77fv2RHVUEYS7ILQzWLRPaEQ6OMRrcb2GvuAkVizu4XXMejluuA+To5jefdriVR80O7HajxwAImMWCPt',
  'GEXCu4zYG7yGIRSj9Mz3HisL7Z/IQzznR3ZAV2VzK/Y1v3xBBEJAtu6xDB89v7afhQPWfYCn/7Sq1r02nONOBCk6Ie86BxAr',
  'aahcmWDTbNHwh0Xx8LTIJ9yprwApQUZvac3pnSPAQXRwHT3pVqHSDOSwc9ARAE+bVQdOjAUlyZBvkgskuQWM53op5+cVwaGo',
  '2pWYAQDoCxvW5yINXPnHNQ=='
].join('')

/** 1000 pseudo-random bytes repeated: compressible across blocks, so linked blocks really link. */
function sampleData (n: number): Buffer {
  const period = Buffer.alloc(1000)
  let x = 12345
  for (let i = 0; i < period.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff
    period[i] = (x >>> 16) & 0xff
  }
  const out = Buffer.alloc(n)
  for (let i = 0; i < n; i++) out[i] = period[i % 1000]!
  return out
}
