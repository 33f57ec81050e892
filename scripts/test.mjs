// `npm test`: build if the compiled output is stale, run every vitest suite, optionally the native
// suite, then say loudly what did not run and why. Extra arguments go to vitest
// (`npm test -- test/integration/kcat.test.ts`).
//
// CI=true makes a missing external client a failure: CI must exercise every client.
// Tests and benchmarks are type-checked (tsc --noEmit); a project with type errors counts as one failure.
// The last line printed is always `N passed, N failed, N skipped` (vitest's counts, plus one failure
// for a failed native suite), the plain closing line that CI reads.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { tsImport } from 'tsx/esm/api'

const root = fileURLToPath(new URL('..', import.meta.url))
const inCi = process.env.CI === 'true'
const extraArgs = process.argv.slice(2)

function newestMtime (dir, suffix) {
  if (!existsSync(dir)) return -1
  let newest = -1
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith(suffix)) continue
    newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs)
  }
  return newest
}

// tsc writes dist/ even when it reports errors, so dist/ being newer than src/ proves nothing; a stamp
// written only after a clean build does.
function buildIfStale () {
  const newestTs = newestMtime(join(root, 'src'), '.ts')
  if (newestTs < 0) {
    console.log('test: src/ has no TypeScript yet; nothing to build')
    return true
  }
  const stamp = join(root, 'dist', '.build-ok')
  const newestInput = Math.max(newestTs, statSync(join(root, 'tsconfig.json')).mtimeMs, statSync(join(root, 'scripts', 'bundle.mjs')).mtimeMs)
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= newestInput) return true
  rmSync(stamp, { force: true })
  console.log('test: building (npx tsc -p tsconfig.json, then the bundles: scripts/bundle.mjs)')
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' })
  if (tsc.status !== 0) return false
  const bundle = spawnSync(process.execPath, [join(root, 'scripts', 'bundle.mjs')], { cwd: root, stdio: 'inherit' })
  if (bundle.status !== 0) return false
  writeFileSync(stamp, `${new Date().toISOString()}\n`)
  return true
}

// The build covers src/ only; tests and benchmarks are type-checked here so they cannot rot silently.
function typeCheck () {
  const failed = []
  for (const project of ['test/tsconfig.json', 'bench/tsconfig.json']) {
    console.log(`test: type-checking (npx tsc -p ${project})`)
    const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], { cwd: root, stdio: 'inherit' })
    if (tsc.status !== 0) failed.push(project)
  }
  return failed
}

function runVitest (jsonPath) {
  const args = [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run',
    '--reporter=default', '--reporter=json', `--outputFile.json=${jsonPath}`, ...extraArgs]
  const vitest = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' })
  if (!existsSync(jsonPath)) return undefined
  return { exitCode: vitest.status, ...JSON.parse(readFileSync(jsonPath, 'utf8')) }
}

// Counts from vitest's JSON report. A file that failed to load has no test results, so it counts as one failure.
function summarise (report) {
  const totals = { passed: 0, failed: 0, skipped: 0, skippedFiles: [] }
  for (const file of report.testResults) {
    const statuses = file.assertionResults.map(a => a.status)
    totals.passed += statuses.filter(s => s === 'passed').length
    totals.failed += statuses.filter(s => s === 'failed').length
    const skipped = statuses.filter(s => s === 'skipped' || s === 'pending' || s === 'todo').length
    totals.skipped += skipped
    if (file.status === 'failed' && !statuses.includes('failed')) totals.failed += 1
    if (skipped > 0 && skipped === statuses.length) totals.skippedFiles.push(relative(root, file.name))
  }
  // Errors outside any test (an unhandled rejection, a crashed worker) fail vitest without failing a test.
  if (report.exitCode !== 0 && totals.failed === 0) {
    console.error('test: vitest failed outside the tests (see "Unhandled Errors" above); counted as 1 failure')
    totals.failed = 1
  }
  return totals
}

function runNativeSuite () {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
  if (pkg.scripts?.['test:native'] === undefined) {
    console.log('test: no "test:native" script yet; native suite skipped')
    return 'absent'
  }
  console.log('test: npm run test:native')
  const native = spawnSync('npm', ['run', 'test:native'], { cwd: root, stdio: 'inherit' })
  // 127: bash could not find the script the entry names, i.e. the native suite is not written yet.
  if (native.status === 127) {
    console.log('test: the native test script does not exist yet; native suite skipped')
    return 'absent'
  }
  return native.status === 0 ? 'passed' : 'failed'
}

function banner (lines) {
  const rule = '='.repeat(78)
  console.log(['', rule, ...lines, rule].join('\n'))
}

const { has, missingClients, INSTALL_COMMAND } = await tsImport('../test/helpers/clients.ts', import.meta.url)
console.log(`test: clients: kcat ${has.kcat ? 'yes' : 'NO'}, kafka-python ${has.kafkaPython ? 'yes' : 'NO'}, confluent-kafka ${has.confluentKafka ? 'yes' : 'NO'}`)

if (!buildIfStale()) {
  console.error('test: the TypeScript build failed; no test was run')
  process.exit(1)
}

const typeErrors = typeCheck()

const jsonPath = join(tmpdir(), `sluice-vitest-${process.pid}.json`)
const report = runVitest(jsonPath)
rmSync(jsonPath, { force: true })
const totals = report === undefined
  ? { passed: 0, failed: 1, skipped: 0, skippedFiles: [] }
  : summarise(report)
if (report === undefined) console.error('test: vitest wrote no report (it crashed or its configuration is broken)')

totals.failed += typeErrors.length

let nativeOutcome = 'not run (set SLUICE_TEST_NATIVE=1 or CI=true)'
if (inCi || process.env.SLUICE_TEST_NATIVE === '1') {
  nativeOutcome = runNativeSuite()
  if (nativeOutcome === 'failed') totals.failed += 1
}

const missing = missingClients()
const notes = [`native suite: ${nativeOutcome}`]
if (typeErrors.length > 0) notes.push(`type errors in ${typeErrors.join(', ')} (each counted as 1 failure)`)
if (totals.skippedFiles.length > 0) notes.push(`entirely skipped: ${totals.skippedFiles.join(', ')}`)
if (missing.length > 0) {
  notes.push(`SKIPPED: the suites for ${missing.join(', ')} did not run: not installed.`)
  notes.push(`Install with: ${INSTALL_COMMAND}`)
  if (inCi) notes.push('CI=true: every client must be present, so this run FAILS.')
}
banner(notes)

const failedRun = report === undefined || totals.failed > 0 || (inCi && missing.length > 0)
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`)
process.exit(failedRun ? 1 : 0)
