// Scaleway InterLink v1beta1 through the official JavaScript SDK (`@scaleway/sdk`), against a
// `peerlab serve` started with a random --project-id: the scenarios of
// tests/sdk/test_interlink.py (create, list, get, update, delete, the errors, waiting on a
// status) and the name rules of tests/sdk/test_names.py.
//
// SDK methods covered: listPops (filters, order, pagination, .all()), getPop, listPartners,
// getPartner, listDedicatedConnections, getDedicatedConnection, waitForDedicatedConnection,
// createRoutingPolicy, listRoutingPolicies, getRoutingPolicy, updateRoutingPolicy,
// deleteRoutingPolicy, createLink, getLink, listLinks, updateLink, attachRoutingPolicy,
// detachRoutingPolicy, setRoutingPolicy, enableRoutePropagation, disableRoutePropagation,
// attachVpc, detachVpc, deleteLink, waitForLink (self-hosted and hosted).

import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, test } from 'node:test'

import { Interlink } from '@scaleway/sdk'

import {
  CONNECTION_DC2,
  CONNECTION_TH2,
  OTHER_PROJECT,
  OTHER_TOKEN,
  PARTNER_ACME,
  POP_DC2,
  POP_TH2,
  VPC,
  argumentsOf,
  clientOf,
  freshVlan,
  refused,
  startServe,
} from './support.mjs'

describe('InterLink with @scaleway/sdk, as a user’s own project', () => {
  let serve
  let api
  let other

  before(async () => {
    serve = await startServe()
    api = new Interlink.v1beta1.API(clientOf(serve.url, serve.token, serve.projectId))
    other = new Interlink.v1beta1.API(clientOf(serve.url, OTHER_TOKEN, OTHER_PROJECT))
  })

  after(async () => {
    await serve?.stop()
  })

  const makeLink = (vlan, extra = {}) =>
    api.createLink({
      name: `link-${vlan}`,
      popId: POP_DC2,
      bandwidthMbps: 1000,
      connectionId: CONNECTION_DC2,
      vlan,
      ...extra,
    })

  test('PoPs: list, filter, get', async () => {
    const pops = await api.listPops()
    assert.equal(pops.totalCount, 2)
    assert.deepEqual(new Set(pops.pops.map((p) => p.id)), new Set([POP_DC2, POP_TH2]))
    assert.equal((await api.listPops().all()).length, 2)
    const pop = await api.getPop({ popId: POP_DC2 })
    assert.equal(pop.name, 'DC2')
    assert.equal(pop.region, 'fr-par')
    assert.equal((await api.listPops({ name: 'TH2' })).totalCount, 1)
  })

  test('pagination and order', async () => {
    const page = await api.listPops({ pageSize: 1, page: 2, orderBy: 'name_asc' })
    assert.equal(page.totalCount, 2)
    assert.deepEqual(page.pops.map((p) => p.name), ['TH2'])
    assert.deepEqual((await api.listPops({ pageSize: 1, page: 3 })).pops, [])
    const names = (await api.listPops({ orderBy: 'name_desc' })).pops.map((p) => p.name)
    assert.deepEqual(names, ['TH2', 'DC2'])
    const e = await refused(api.listPops({ pageSize: 1000 }), 'InvalidArgumentsError', 400)
    assert.equal(e.details[0].argumentName, 'page_size')
    // .all() walks every page: with page size 1, several requests.
    const partners = await api.listPartners({ pageSize: 1 }).all()
    assert.equal(partners.length, 2)
  })

  test('partners', async () => {
    assert.equal((await api.listPartners()).totalCount, 2)
    assert.equal((await api.getPartner({ partnerId: PARTNER_ACME })).name, 'Acme Fabric')
  })

  test('the demo’s dedicated connections are the project’s own; `other` sees none', async () => {
    const conns = await api.listDedicatedConnections()
    assert.equal(conns.totalCount, 2)
    assert.deepEqual(new Set(conns.connections.map((c) => c.id)), new Set([CONNECTION_DC2, CONNECTION_TH2]))
    for (const c of conns.connections) assert.equal(c.projectId, serve.projectId)
    const conn = await api.getDedicatedConnection({ connectionId: CONNECTION_DC2 })
    assert.equal(conn.name, 'demo-dc2-10g')
    assert.equal(conn.status, 'active')
    // The JS SDK's DedicatedConnection has no vlanRange (the Python SDK's has vlan_range).
    assert.equal('vlanRange' in conn, false)
    assert.equal((await api.listDedicatedConnections({ popId: POP_DC2 })).totalCount, 1)
    assert.equal((await other.listDedicatedConnections()).totalCount, 0)
    await refused(other.getDedicatedConnection({ connectionId: CONNECTION_DC2 }), 'ResourceNotFoundError', 404)
    // An active connection: the waiter gives it back at once.
    const waited = await api.waitForDedicatedConnection({ connectionId: CONNECTION_DC2 })
    assert.equal(waited.status, 'active')
  })

  test('routing policies: create, list, get, update, delete', async () => {
    const v4 = await api.createRoutingPolicy({
      name: 'rp-js-v4',
      isIpv6: false,
      tags: ['js', 'v4'],
      prefixFilterIn: ['10.0.0.0/8'],
      prefixFilterOut: ['172.16.0.0/22'],
    })
    assert.equal(v4.isIpv6, false)
    assert.equal(v4.projectId, serve.projectId)
    assert.deepEqual(v4.prefixFilterIn, ['10.0.0.0/8'])
    const v6 = await api.createRoutingPolicy({
      name: 'rp-js-v6',
      isIpv6: true,
      tags: ['js', 'v6'],
      prefixFilterIn: ['2001:db8::/32'],
    })
    assert.equal((await api.getRoutingPolicy({ routingPolicyId: v4.id })).name, 'rp-js-v4')
    const named = (await api.listRoutingPolicies({ name: 'rp-js' })).routingPolicies.map((p) => p.id)
    assert.deepEqual(new Set(named), new Set([v4.id, v6.id]))
    const onlyV6 = (await api.listRoutingPolicies({ name: 'rp-js', ipv6: true })).routingPolicies
    assert.deepEqual(onlyV6.map((p) => p.id), [v6.id])
    const tagged = (await api.listRoutingPolicies({ tags: ['v6'] })).routingPolicies.map((p) => p.id)
    assert.ok(tagged.includes(v6.id) && !tagged.includes(v4.id))
    const updated = await api.updateRoutingPolicy({ routingPolicyId: v4.id, name: 'rp-js-v4b' })
    assert.equal(updated.name, 'rp-js-v4b')
    // A v4 policy refuses v6 prefixes.
    const e = await refused(
      api.createRoutingPolicy({ name: 'bad', isIpv6: false, prefixFilterIn: ['2001:db8::/32'] }),
      'InvalidArgumentsError',
      400,
    )
    assert.equal(e.body.type, 'invalid_arguments')
    await api.deleteRoutingPolicy({ routingPolicyId: v6.id })
    await refused(api.getRoutingPolicy({ routingPolicyId: v6.id }), 'ResourceNotFoundError', 404)
  })

  test('a self-hosted link: its whole life', async () => {
    const vlan = freshVlan()
    const v4 = await api.createRoutingPolicy({ name: 'lc-v4', isIpv6: false, prefixFilterIn: ['10.0.0.0/8'] })
    const v4b = await api.createRoutingPolicy({ name: 'lc-v4b', isIpv6: false, prefixFilterIn: ['10.1.0.0/16'] })
    const v6 = await api.createRoutingPolicy({ name: 'lc-v6', isIpv6: true, prefixFilterIn: ['2001:db8::/32'] })
    let link = await makeLink(vlan, { name: 'lc', tags: ['js'], peerAsn: 65001 })
    assert.equal(link.vlan, vlan)
    assert.equal(link.projectId, serve.projectId)
    assert.equal(link.self?.connectionId, CONNECTION_DC2)
    assert.equal(link.scwBgpConfig.asn, 12876)
    assert.equal(link.peerBgpConfig.asn, 65001)
    assert.equal(link.bgpV4Status, 'disabled')

    link = await api.waitForLink({ linkId: link.id })
    assert.notEqual(link.status, 'configuring')
    assert.equal((await api.getLink({ linkId: link.id })).id, link.id)

    const listed = await api.listLinks({ name: 'lc', tags: ['js'] })
    assert.ok(listed.links.some((l) => l.id === link.id))
    const all = await api.listLinks({ connectionId: CONNECTION_DC2 }).all()
    assert.ok(all.some((l) => l.id === link.id))
    assert.ok((await api.listLinks({ kind: 'self_hosted', popId: POP_DC2 })).totalCount >= 1)

    link = await api.updateLink({ linkId: link.id, name: 'lc2', tags: ['js', 'x'], peerAsn: 65002 })
    assert.deepEqual([link.name, link.tags, link.peerBgpConfig.asn], ['lc2', ['js', 'x'], 65002])

    link = await api.attachRoutingPolicy({ linkId: link.id, routingPolicyId: v4.id })
    assert.equal(link.routingPolicyV4Id, v4.id)
    assert.ok(['down', 'up'].includes(link.bgpV4Status))
    link = await api.attachRoutingPolicy({ linkId: link.id, routingPolicyId: v6.id })
    assert.equal(link.routingPolicyV6Id, v6.id)
    assert.equal((await api.listLinks({ routingPolicyId: v4.id })).totalCount, 1)
    link = await api.setRoutingPolicy({ linkId: link.id, routingPolicyId: v4b.id })
    assert.equal(link.routingPolicyV4Id, v4b.id)
    link = await api.detachRoutingPolicy({ linkId: link.id, routingPolicyId: v6.id })
    assert.equal(link.routingPolicyV6Id, null)
    assert.equal(link.bgpV6Status, 'disabled')

    link = await api.enableRoutePropagation({ linkId: link.id })
    assert.equal(link.enableRoutePropagation, true)
    link = await api.disableRoutePropagation({ linkId: link.id })
    assert.equal(link.enableRoutePropagation, false)

    link = await api.attachVpc({ linkId: link.id, vpcId: VPC })
    assert.equal(link.vpcId, VPC)
    assert.ok((await api.listLinks({ vpcId: VPC })).totalCount >= 1)
    link = await api.detachVpc({ linkId: link.id })
    assert.equal(link.vpcId, null)

    const deleted = await api.deleteLink({ linkId: link.id })
    assert.equal(deleted.status, 'deleted')
    await refused(api.getLink({ linkId: link.id }), 'ResourceNotFoundError', 404)
  })

  test('a hosted link: waiting on its status until the partner provisions it', async () => {
    // Acme Fabric approves by itself after 2 s and provisions in 3 s (demo catalogue).
    let link = await api.createLink({ name: 'hosted', popId: POP_DC2, bandwidthMbps: 1000, partnerId: PARTNER_ACME })
    assert.equal(link.status, 'requested')
    assert.equal(link.partner?.partnerId, PARTNER_ACME)
    assert.equal(link.self ?? null, null)
    const byKey = await api.listLinks({ pairingKey: link.partner.pairingKey })
    assert.deepEqual(byKey.links.map((l) => l.id), [link.id])
    link = await api.waitForLink(
      { linkId: link.id },
      {
        stop: (l) => Promise.resolve(!['requested', 'provisioning'].includes(l.status)),
        timeout: 30,
        minDelay: 1,
        maxDelay: 1,
      },
    )
    assert.ok(['active', 'all_down', 'limited_connectivity', 'ready'].includes(link.status), link.status)
    assert.equal((await api.deleteLink({ linkId: link.id })).status, 'deleted')
  })

  test('errors: the SDK’s classes, with the real service’s statuses and bodies', async () => {
    const vlan = freshVlan()
    const policy = await api.createRoutingPolicy({ name: 'in-use', isIpv6: false, prefixFilterIn: ['10.0.0.0/8'] })
    await makeLink(vlan, { routingPolicyV4Id: policy.id })
    // A malformed UUID in the path: the SDK only checks it is not empty, the server refuses it.
    let e = await refused(api.getLink({ linkId: 'not-a-uuid' }), 'InvalidArgumentsError', 400)
    assert.deepEqual(argumentsOf(e), [['link_id', 'format']])
    e = await refused(api.listLinks({ popId: 'nope' }), 'InvalidArgumentsError', 400)
    assert.equal(e.details[0].argumentName, 'pop_id')
    e = await refused(
      api.createRoutingPolicy({ name: 'bad', isIpv6: false, prefixFilterIn: ['10.0.0.0/33'] }),
      'InvalidArgumentsError',
      400,
    )
    assert.ok(e.details.some((d) => d.argumentName === 'prefix_filter_in.0'))
    e = await refused(api.listLinks({ orderBy: 'sideways' }), 'InvalidArgumentsError', 400)
    assert.equal(e.details[0].argumentName, 'order_by')
    e = await refused(
      api.createLink({ name: 'odd', popId: POP_DC2, bandwidthMbps: 3, connectionId: CONNECTION_DC2, vlan: freshVlan() }),
      'InvalidArgumentsError',
      400,
    )
    assert.ok(e.details.some((d) => d.argumentName === 'bandwidth_mbps'))
    // The VLAN is taken.
    e = await refused(makeLink(vlan, { name: 'again' }), 'InvalidArgumentsError', 400)
    assert.equal(e.details[0].argumentName, 'vlan')
    // Unknown link.
    const missing = randomUUID()
    e = await refused(api.getLink({ linkId: missing }), 'ResourceNotFoundError', 404)
    assert.equal(e.resource, 'link')
    assert.equal(e.resourceId, missing)
    // A policy in use.
    e = await refused(api.deleteRoutingPolicy({ routingPolicyId: policy.id }), 'PreconditionFailedError', 412)
    assert.equal(e.precondition, 'resource_still_in_use')
    // An unknown token.
    const anonymous = new Interlink.v1beta1.API(clientOf(serve.url, randomUUID(), randomUUID()))
    e = await refused(anonymous.listLinks(), 'DeniedAuthenticationError', 401)
    assert.equal(e.body.type, 'denied_authentication')
    // Writing into another project.
    e = await refused(
      api.createRoutingPolicy({ name: 'x', isIpv6: false, projectId: OTHER_PROJECT }),
      'PermissionsDeniedError',
      403,
    )
    // An empty path parameter never leaves the SDK.
    await assert.rejects(async () => api.getLink({ linkId: '' }), TypeError)
  })

  test('another project’s link is a 404', async () => {
    const link = await makeLink(freshVlan())
    await refused(other.getLink({ linkId: link.id }), 'ResourceNotFoundError', 404)
    assert.ok(!(await other.listLinks().all()).some((l) => l.id === link.id))
    await refused(other.deleteLink({ linkId: link.id }), 'ResourceNotFoundError', 404)
  })

  test('names and tags the real service refuses', async () => {
    const vlan = freshVlan()
    let e = await refused(makeLink(vlan, { name: '\0'.repeat(1000) }), 'InvalidArgumentsError', 400)
    assert.deepEqual(argumentsOf(e), [['name', 'format']])
    e = await refused(makeLink(vlan, { name: 'x'.repeat(256) }), 'InvalidArgumentsError', 400)
    assert.deepEqual(argumentsOf(e), [['name', 'constraint']])
    e = await refused(makeLink(vlan, { tags: ['ok', 'new\nline'] }), 'InvalidArgumentsError', 400)
    assert.deepEqual(argumentsOf(e), [['tags.1', 'format']])
    e = await refused(
      makeLink(vlan, { tags: Array.from({ length: 51 }, (_, i) => `t${i}`) }),
      'InvalidArgumentsError',
      400,
    )
    assert.deepEqual(argumentsOf(e), [['tags', 'constraint']])
    const link = await makeLink(vlan, { name: 'é'.repeat(255) })
    e = await refused(api.updateLink({ linkId: link.id, name: 'a\u007f' }), 'InvalidArgumentsError', 400)
    assert.deepEqual(argumentsOf(e), [['name', 'format']])
    e = await refused(
      api.createRoutingPolicy({ name: 'p\u0000', isIpv6: false, tags: ['\t'] }),
      'InvalidArgumentsError',
      400,
    )
    assert.deepEqual(argumentsOf(e), [['name', 'format'], ['tags.0', 'format']])
    assert.equal((await api.getLink({ linkId: link.id })).name, 'é'.repeat(255))
    await api.deleteLink({ linkId: link.id })
  })
})
