// A whole l3 configuration with node-ovh over HTTPS, in terraform-provider-ovh's order: the
// PoP, then a datacenter, then a `bgp` extra, each POST → task → GET by `resourceId`; the
// lists; the sessions the engine runs; then the delete in reverse, each waiting on its task.

import assert from 'node:assert/strict';
import {
  INTERFACE_A, SERVICE_A, VRACK,
  client, create, expectError, remove, run, runtime, waitTask,
} from './client.mjs';

run(async () => {
  const ovh = client();
  const link = await ovh.requestPromised('POST', `/vrack/${VRACK}/ovhCloudConnect`,
    { ovhCloudConnect: SERVICE_A });
  await waitTask(ovh, `/vrack/${VRACK}/task/${link.id}`);

  const pops = `/ovhCloudConnect/${SERVICE_A}/config/pop`;
  const pop = await create(ovh, SERVICE_A, pops, {
    interfaceId: INTERFACE_A, type: 'l3', customerBgpArea: 65001, ovhBgpArea: 65501,
    subnet: '192.0.2.0/30',
  });
  assert.equal(pop.type, 'l3');
  assert.equal(pop.subnet, '192.0.2.0/30');
  assert.deepEqual(await ovh.requestPromised('GET', pops), [pop.id]);
  assert.equal((await ovh.requestPromised('GET', `/ovhCloudConnect/${SERVICE_A}`)).product, 'l3');

  const dcs = `${pops}/${pop.id}/datacenter`;
  const dc = await create(ovh, SERVICE_A, dcs,
    { datacenterId: 1, ovhBgpArea: 65502, subnet: '10.10.0.0/28' });
  assert.equal(dc.datacenterId, 1);
  assert.deepEqual(await ovh.requestPromised('GET', dcs), [dc.id]);
  // The datacenter is taken in this vRack now.
  assert.equal(
    (await ovh.requestPromised('GET', `/ovhCloudConnect/${SERVICE_A}/datacenter/1`)).available,
    false,
  );

  const extras = `${dcs}/${dc.id}/extra`;
  const extra = await create(ovh, SERVICE_A, extras,
    { type: 'bgp', bgpNeighborArea: 65100, bgpNeighborIp: '10.10.0.4' });
  assert.equal(extra.type, 'bgp');
  assert.equal(extra.nextHop, null);
  assert.deepEqual(await ovh.requestPromised('GET', extras), [extra.id]);
  // Never a static route beside a BGP session.
  await expectError(409, () => ovh.requestPromised('POST', extras,
    { type: 'network', nextHop: '10.10.0.5', subnet: '172.20.0.0/16' }), /same datacenter/);

  const sessions = (await runtime()).sessions.map((s) => s.id).sort();
  assert.deepEqual(sessions, [`ovh-extra-${extra.id}`, `ovh-pop-${pop.id}`]);

  // terraform destroy: the extra, the datacenter, the PoP.
  await remove(ovh, SERVICE_A, `${extras}/${extra.id}`);
  await remove(ovh, SERVICE_A, `${dcs}/${dc.id}`);
  await remove(ovh, SERVICE_A, `${pops}/${pop.id}`);
  assert.deepEqual(await ovh.requestPromised('GET', pops), []);
  assert.deepEqual((await runtime()).sessions, []);
});
