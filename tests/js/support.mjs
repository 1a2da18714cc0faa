// What every JavaScript client test shares: a `peerlab serve` started as a user who copies their
// own profile starts it (a random --project-id and a secret key of their own), the demo
// catalogue's IDs, and a check of the SDK's errors.
//
// The binary must have been built (`cargo build -p peerlab`); when it is missing the tests fail,
// they never skip.

import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { createClient } from '@scaleway/sdk'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const BINARY = join(ROOT, 'target', 'debug', 'peerlab')

// The built-in demo catalogue (crates/provider/src/catalogue/demo.rs). Its IDs do not depend on
// the project that owns it.
export const POP_DC2 = '5ca1e000-0000-4000-8000-a00000000001'
export const POP_TH2 = '5ca1e000-0000-4000-8000-a00000000002'
export const PARTNER_ACME = '5ca1e000-0000-4000-8000-b00000000001'
export const CONNECTION_DC2 = '5ca1e000-0000-4000-8000-c00000000001'
export const CONNECTION_TH2 = '5ca1e000-0000-4000-8000-c00000000002'
export const VPC = '5ca1e000-0000-4000-8000-d00000000001'
export const PRIVATE_NETWORK = '5ca1e000-0000-4000-8000-d00000000011'
export const OTHER_TOKEN = '5ca1e000-0000-4000-8000-e00000000002'
export const OTHER_PROJECT = '5ca1e000-0000-4000-8000-000000000003'
// The SDK checks an access key's form (SCW + 17 characters); the API does not read it.
const ACCESS_KEY = 'SCWXXXXXXXXXXXXXXXXX'

/**
 * Starts `peerlab serve --listen 127.0.0.1:0 --project-id P --token T` with a random P and T,
 * and resolves once it printed its `listening:` line: `{ url, token, projectId, stop }`.
 */
export async function startServe() {
  assert.ok(existsSync(BINARY), `${BINARY} is missing: build it first with \`cargo build -p peerlab\``)
  const projectId = randomUUID()
  const token = randomUUID()
  const child = spawn(
    BINARY,
    ['serve', '--listen', '127.0.0.1:0', '--project-id', projectId, '--token', token],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let output = ''
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`peerlab serve did not start within 20 s:\n${output}`))
    }, 20_000)
    const read = (chunk) => {
      output += chunk
      const found = /^listening: (http:\/\/\S+)$/m.exec(output)
      if (found) {
        clearTimeout(timer)
        resolve(found[1])
      }
    }
    child.stdout.setEncoding('utf8').on('data', read)
    child.stderr.setEncoding('utf8').on('data', read)
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`peerlab serve exited with ${code}:\n${output}`))
    })
  })
  assert.match(output, new RegExp(`^token: ${token}$`, 'm'))
  assert.match(output, new RegExp(`^project_id: ${projectId}$`, 'm'))
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve()
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
      child.removeAllListeners('exit')
      child.on('exit', () => {
        clearTimeout(timer)
        resolve()
      })
      child.kill('SIGTERM')
    })
  return { url, token, projectId, stop }
}

/** An SDK client of `projectId` with `token`, pointed at `url`, as a user's profile makes it. */
export function clientOf(url, token, projectId) {
  return createClient({
    accessKey: ACCESS_KEY,
    secretKey: token,
    defaultProjectId: projectId,
    defaultRegion: 'fr-par',
    apiURL: url,
  })
}

/**
 * Awaits `promise`, which must fail with the SDK's error class `name` and HTTP `status`; gives
 * the error (its `body` is the server's JSON).
 */
export async function refused(promise, name, status) {
  try {
    await promise
  } catch (e) {
    assert.equal(e.name, name, `${e.name}: ${e.message}`)
    assert.equal(e.status, status, e.message)
    return e
  }
  assert.fail(`expected ${name} (${status}), but the call succeeded`)
}

/** The `argument_name`s of an `InvalidArgumentsError`, with their reasons. */
export function argumentsOf(error) {
  return error.details.map((d) => [d.argumentName, d.reason])
}

let nextVlan = 3000
/** A VLAN of demo-dc2-10g that no other test of this file uses. */
export function freshVlan() {
  nextVlan += 1
  return nextVlan
}
