// Walking stored record batches without decoding them, for the read benchmarks.

/** The offset after the last batch of the last view (baseOffset + lastOffsetDelta + 1); 0 for no views. */
export function nextOffsetAfter (views: readonly Buffer[]): number {
  const last = views[views.length - 1]
  if (last === undefined) return 0
  let pos = 0
  let next = 0
  while (pos < last.length) {
    next = Number(last.readBigInt64BE(pos)) + last.readInt32BE(pos + 23) + 1
    pos += last.readInt32BE(pos + 8) + 12
  }
  return next
}
