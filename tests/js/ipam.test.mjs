// Scaleway IPAM v1 through the official JavaScript SDK (`@scaleway/sdk`), against a
// `peerlab serve` started with a random --project-id: the scenarios of tests/sdk/test_ipam.py
// and IPAM's name rules.
//
// SDK methods covered: bookIP, getIP, updateIP, listIPs (and .all()), attachIP, detachIP,
// moveIP, releaseIP, releaseIPSet.

import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, test } from 'node:test'

import { Ipam } from '@scaleway/sdk'

import {
  OTHER_PROJECT,
  OTHER_TOKEN,
  PRIVATE_NETWORK,
  argumentsOf,
  clientOf,
  refused,
  startServe,
} from './support.mjs'

describe('IPAM with @scaleway/sdk, as a user’s own project', () => {
  let serve
  let ipam
  let other

  before(async () => {
    serve = await startServe()
    ipam = new Ipam.v1.API(clientOf(serve.url, serve.token, serve.projectId))
    other = new Ipam.v1.API(clientOf(serve.url, OTHER_TOKEN, OTHER_PROJECT))
  })

  after(async () => {
    await serve?.stop()
  })

  const source = { privateNetworkId: PRIVATE_NETWORK }

  test('an IP: book, get, update, list, attach, move, detach, release', async () => {
    let ip = await ipam.bookIP({ source, isIpv6: false, tags: ['js'] })
    assert.match(ip.address, /^172\.16\./)
    assert.equal(ip.projectId, serve.projectId)
    assert.equal(ip.source.privateNetworkId, PRIVATE_NETWORK)
    assert.equal((await ipam.getIP({ ipId: ip.id })).address, ip.address)

    ip = await ipam.updateIP({ ipId: ip.id, tags: ['js', 'updated'] })
    assert.deepEqual(ip.tags, ['js', 'updated'])

    const mine = await ipam.listIPs({ privateNetworkId: PRIVATE_NETWORK, tags: ['updated'] })
    assert.deepEqual(mine.ips.map((i) => i.id), [ip.id])
    assert.ok((await ipam.listIPs({ attached: false })).ips.some((i) => i.id === ip.id))
    const all = await ipam.listIPs({ privateNetworkId: PRIVATE_NETWORK }).all()
    assert.ok(all.some((i) => i.id === ip.id))

    const vm1 = { macAddress: '02:00:00:00:00:01', name: 'vm1' }
    const vm2 = { macAddress: '02:00:00:00:00:02', name: 'vm2' }
    ip = await ipam.attachIP({ ipId: ip.id, resource: vm1 })
    assert.equal(ip.resource?.macAddress, '02:00:00:00:00:01')
    assert.equal(ip.resource?.name, 'vm1')
    assert.ok((await ipam.listIPs({ attached: true })).ips.some((i) => i.id === ip.id))
    const byMac = await ipam.listIPs({ macAddress: '02:00:00:00:00:01' })
    assert.deepEqual(byMac.ips.map((i) => i.id), [ip.id])
    // Attached, it cannot be released.
    const e = await refused(ipam.releaseIP({ ipId: ip.id }), 'PreconditionFailedError', 412)
    assert.equal(e.precondition, 'resource_still_in_use')
    ip = await ipam.moveIP({ ipId: ip.id, fromResource: vm1, toResource: vm2 })
    assert.equal(ip.resource?.macAddress, '02:00:00:00:00:02')
    ip = await ipam.detachIP({ ipId: ip.id, resource: vm2 })
    assert.equal(ip.resource ?? null, null)

    await ipam.releaseIP({ ipId: ip.id })
    await refused(ipam.getIP({ ipId: ip.id }), 'ResourceNotFoundError', 404)
  })

  test('IPv6 and releasing a set', async () => {
    const a = await ipam.bookIP({ source, isIpv6: true })
    const b = await ipam.bookIP({ source, isIpv6: true })
    assert.ok(a.address.includes(':'))
    assert.notEqual(a.address, b.address)
    await ipam.releaseIPSet({ ipIds: [a.id, b.id] })
    for (const ip of [a, b]) {
      await refused(ipam.getIP({ ipId: ip.id }), 'ResourceNotFoundError', 404)
    }
  })

  test('errors', async () => {
    let e = await refused(ipam.getIP({ ipId: 'not-a-uuid' }), 'InvalidArgumentsError', 400)
    assert.equal(e.details[0].argumentName, 'ip_id')
    const missing = randomUUID()
    e = await refused(ipam.getIP({ ipId: missing }), 'ResourceNotFoundError', 404)
    assert.equal(e.resourceId, missing)
    e = await refused(
      ipam.bookIP({ source: { privateNetworkId: randomUUID() }, isIpv6: false }),
      'ResourceNotFoundError',
      404,
    )
    const ip = await ipam.bookIP({ source, isIpv6: false })
    e = await refused(
      ipam.attachIP({ ipId: ip.id, resource: { macAddress: 'not-a-mac' } }),
      'InvalidArgumentsError',
      400,
    )
    assert.deepEqual(argumentsOf(e), [['resource.mac_address', 'format']])
    // The same address twice.
    e = await refused(ipam.bookIP({ source, isIpv6: false, address: ip.address.split('/')[0] }), 'AlreadyExistsError', 409)
    await ipam.releaseIP({ ipId: ip.id })
  })

  test('names and tags the real service refuses', async () => {
    let e = await refused(ipam.bookIP({ source, isIpv6: false, tags: ['\0'] }), 'InvalidArgumentsError', 400)
    assert.deepEqual(argumentsOf(e), [['tags.0', 'format']])
    const ip = await ipam.bookIP({ source, isIpv6: false })
    e = await refused(ipam.updateIP({ ipId: ip.id, tags: ['x'.repeat(129)] }), 'InvalidArgumentsError', 400)
    assert.deepEqual(argumentsOf(e), [['tags.0', 'constraint']])
    e = await refused(
      ipam.attachIP({ ipId: ip.id, resource: { macAddress: '02:00:00:00:0a:01', name: 'vm\u001b[31m' } }),
      'InvalidArgumentsError',
      400,
    )
    assert.deepEqual(argumentsOf(e), [['resource.name', 'format']])
    e = await refused(
      ipam.updateIP({ ipId: ip.id, reverses: [{ hostname: 'host\n.example' }] }),
      'InvalidArgumentsError',
      400,
    )
    assert.deepEqual(argumentsOf(e), [['reverses.0.hostname', 'format']])
    await ipam.releaseIP({ ipId: ip.id })
  })

  test('another project sees nothing', async () => {
    const ip = await ipam.bookIP({ source, isIpv6: false })
    await refused(other.getIP({ ipId: ip.id }), 'ResourceNotFoundError', 404)
    assert.ok(!(await other.listIPs().all()).some((i) => i.id === ip.id))
    await ipam.releaseIP({ ipId: ip.id })
  })
})
