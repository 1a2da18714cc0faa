// OVHcloud Connect services and the vRack with node-ovh over HTTPS: list, get, update, the
// interfaces, link and unlink a service (waiting on the vRack task), lock and unlock an
// interface (waiting on its task), and the errors.

import assert from 'node:assert/strict';
import {
  INTERFACE_A, SERVICE_A, SERVICE_B, VRACK, VRACK_2,
  advance, client, expectError, run, waitOccTask, waitTask,
} from './client.mjs';

run(async () => {
  const ovh = client();
  // List, get, update.
  assert.deepEqual(await ovh.requestPromised('GET', '/ovhCloudConnect'), [SERVICE_A, SERVICE_B]);
  const service = await ovh.requestPromised('GET', `/ovhCloudConnect/${SERVICE_A}`);
  assert.equal(service.uuid, SERVICE_A);
  assert.equal(service.vrack, null);
  assert.equal(service.iam.urn, `urn:v1:eu:resource:ovhCloudConnect:${SERVICE_A}`);
  assert.equal(
    await ovh.requestPromised('PUT', `/ovhCloudConnect/${SERVICE_A}`, { description: 'prod été' }),
    null,
  );
  const updated = await ovh.requestPromised('GET', `/ovhCloudConnect/${SERVICE_A}`);
  assert.equal(updated.description, 'prod été');
  assert.deepEqual(await ovh.requestPromised('GET', `/ovhCloudConnect/${SERVICE_A}/interface`),
    [INTERFACE_A]);

  // The vRack: list, get, allowed services, link (a task), unlink (a task).
  assert.deepEqual(await ovh.requestPromised('GET', '/vrack'), [VRACK, VRACK_2]);
  assert.equal((await ovh.requestPromised('GET', `/vrack/${VRACK}`)).name, VRACK);
  const allowed = await ovh.requestPromised('GET', `/vrack/${VRACK}/allowedServices`);
  assert.deepEqual(allowed.ovhCloudConnect, [SERVICE_A, SERVICE_B]);
  const link = await ovh.requestPromised('POST', `/vrack/${VRACK}/ovhCloudConnect`,
    { ovhCloudConnect: SERVICE_A });
  assert.equal(link.status, 'todo');
  assert.equal(link.targetDomain, SERVICE_A);
  await expectError(409, () => ovh.requestPromised('POST', `/vrack/${VRACK_2}/ovhCloudConnect`,
    { ovhCloudConnect: SERVICE_A }));
  await waitTask(ovh, `/vrack/${VRACK}/task/${link.id}`);
  assert.deepEqual(await ovh.requestPromised('GET', `/vrack/${VRACK}/ovhCloudConnect`), [SERVICE_A]);
  assert.deepEqual(
    await ovh.requestPromised('GET', `/vrack/${VRACK}/ovhCloudConnect/${SERVICE_A}`),
    { ovhCloudConnect: SERVICE_A, vrack: VRACK },
  );
  assert.equal((await ovh.requestPromised('GET', `/ovhCloudConnect/${SERVICE_A}`)).vrack, VRACK);

  // Lock and unlock the interface: tasks on the interface.
  const iface = `/ovhCloudConnect/${SERVICE_A}/interface/${INTERFACE_A}`;
  const lock = await ovh.requestPromised('POST', `${iface}/lock`);
  assert.equal(lock.function, 'lockInterface');
  assert.equal(lock.resourceId, INTERFACE_A);
  await waitOccTask(ovh, SERVICE_A, lock);
  const locked = await ovh.requestPromised('GET', iface);
  assert.equal(locked.status, 'disabled');
  assert.equal(locked.outgoingLightStatus, 'down');
  await expectError(409, () => ovh.requestPromised('POST', `${iface}/lock`), /already locked/);
  await waitOccTask(ovh, SERVICE_A, await ovh.requestPromised('POST', `${iface}/unlock`));
  assert.equal((await ovh.requestPromised('GET', iface)).status, 'enabled');

  const unlink = await ovh.requestPromised('DELETE', `/vrack/${VRACK}/ovhCloudConnect/${SERVICE_A}`);
  assert.equal(unlink.function, 'removeOvhCloudConnectFromVrack');
  await waitTask(ovh, `/vrack/${VRACK}/task/${unlink.id}`);
  assert.deepEqual(await ovh.requestPromised('GET', `/vrack/${VRACK}/ovhCloudConnect`), []);

  // The errors, as node-ovh reports them (HTTP status and OVH's message).
  await expectError(404, () => ovh.requestPromised('GET', '/ovhCloudConnect/nope'),
    /does not exist/);
  await expectError(404, () => ovh.requestPromised('PUT', '/ovhCloudConnect/nope',
    { description: 'x' }));
  await expectError(400, () => ovh.requestPromised('POST',
    `/ovhCloudConnect/${SERVICE_A}/config/pop`, { interfaceId: INTERFACE_A, type: 'l9' }));
  await expectError(409, () => ovh.requestPromised('POST',
    `/ovhCloudConnect/${SERVICE_A}/config/pop`, { interfaceId: INTERFACE_A, type: 'l2' }),
  /not in a vRack/);
  await expectError(403, () => ovh.requestPromised('POST', `/ovhCloudConnect/${SERVICE_A}/loa`),
    /has not been granted/);
  await expectError(403, () => client({ appSecret: 'not-the-secret' })
    .requestPromised('GET', '/ovhCloudConnect'), /Invalid signature/);
  await expectError(403, () => client({ appKey: 'nope' })
    .requestPromised('GET', '/ovhCloudConnect'), /application key is invalid/);
  // A clock moved far does not stale the signatures (they use the wall clock).
  await advance(3600);
  assert.equal((await ovh.requestPromised('GET', '/ovhCloudConnect')).length, 2);
});
