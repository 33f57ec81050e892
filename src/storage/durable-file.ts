// A small metadata file replaced whole (topics.json, meta.properties, quotas, SCRAM credentials, ACLs,
// the producer id block): written to a temp file, fsynced, renamed over the old one, and the directory
// fsynced, so a crash leaves the old version or the new one, never a mix or nothing.
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs'
import { open, rename } from 'node:fs/promises'
import { dirname } from 'node:path'

export function writeFileDurably (path: string, contents: string): void {
  const temp = `${path}.tmp`
  const fd = openSync(temp, 'w')
  try {
    writeSync(fd, contents)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(temp, path)
  // The rename is durable only once the directory is.
  const dir = openSync(dirname(path), 'r')
  try {
    fsyncSync(dir)
  } finally {
    closeSync(dir)
  }
}

/** writeFileDurably with the fsyncs on libuv's thread pool. */
export async function writeFileDurablyAsync (path: string, contents: string): Promise<void> {
  const temp = `${path}.tmp`
  const file = await open(temp, 'w')
  try {
    await file.writeFile(contents)
    await file.sync()
  } finally {
    await file.close()
  }
  await rename(temp, path)
  const dir = await open(dirname(path), 'r')
  try {
    await dir.sync()
  } finally {
    await dir.close()
  }
}
