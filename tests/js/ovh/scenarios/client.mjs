// What every scenario uses: the official client, @ovhcloud/node-ovh, pointed at the serve of
// the environment (`host` + `port`; it always speaks HTTPS, signs `https://host/1.0/…` and calls
// `/1.0/auth/time` first), the emulator's admin calls, and the waits.

import assert from 'node:assert/strict';
import https from 'node:https';
import ovhClient from '@ovhcloud/node-ovh';

export const PORT = Number(process.env.PEERLAB_PORT);
export const ADMIN_TOKEN = '5ca1e000-0000-4000-8000-e000000000ad';
export const SERVICE_A = '0c0c0000-0000-4000-8000-0000000000a1';
export const SERVICE_B = '0c0c0000-0000-4000-8000-0000000000b1';
export const INTERFACE_A = 9001;
export const VRACK = 'pn-100001';
export const VRACK_2 = 'pn-100002';
const TASK_SECS = 100;

/** A node-ovh client; `overrides` replace the credentials. */
export function client(overrides = {}) {
  return ovhClient({
    appKey: 'testappkey000001',
    appSecret: 'testapplicationsecret00000000001',
    consumerKey: 'testconsumerkey00000000000000001',
    host: 'localhost',
    port: PORT,
    basePath: '/1.0',
    ...overrides,
  });
}

/** An admin call of the emulator (HTTPS, trusted through NODE_EXTRA_CA_CERTS). */
function admin(method, path, body) {
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request({
      host: 'localhost',
      port: PORT,
      method,
      path,
      headers: { 'X-Auth-Token': ADMIN_TOKEN, 'Content-Type': 'application/json' },
    }, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`${path}: ${res.statusCode} ${text}`));
        resolve(JSON.parse(text));
      });
    });
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

/** Moves the task clock forward. */
export const advance = (seconds) =>
  admin('POST', '/peerlab/v1/admin/ovh/advance-clock', { seconds });

/** What the engine runs for OVH. */
export const runtime = () => admin('GET', '/peerlab/v1/admin/ovh/state');

/** Polls `path` (a task) while `todo`/`doing`, moving the clock, until `done`. */
export async function waitTask(ovh, path) {
  for (let i = 0; i < 40; i += 1) {
    const task = await ovh.requestPromised('GET', path);
    if (task.status === 'done') return task;
    assert.ok(['todo', 'doing'].includes(task.status), `${path}: ${JSON.stringify(task)}`);
    await advance(TASK_SECS / 4);
  }
  throw new Error(`${path} never done`);
}

/** Waits on an `ovhcloudconnect.Task` of `service`. */
export const waitOccTask = (ovh, service, task) =>
  waitTask(ovh, `/ovhCloudConnect/${service}/task/${task.id}`);

/** POST → task → wait → GET by `resourceId` (terraform-provider-ovh's create). */
export async function create(ovh, service, collection, body) {
  const task = await ovh.requestPromised('POST', collection, body);
  assert.deepEqual(Object.keys(task).sort(), ['function', 'id', 'resourceId', 'status']);
  assert.match(task.function, /^add/);
  await waitOccTask(ovh, service, task);
  const resource = await ovh.requestPromised('GET', `${collection}/${task.resourceId}`);
  assert.equal(resource.id, task.resourceId);
  assert.equal(resource.status, 'active');
  return resource;
}

/** DELETE → task → wait, then the resource is a 404. */
export async function remove(ovh, service, path) {
  const task = await ovh.requestPromised('DELETE', path);
  assert.match(task.function, /^del/);
  await waitOccTask(ovh, service, task);
  await expectError(404, () => ovh.requestPromised('GET', path));
}

/** `call` rejects as node-ovh rejects an API error: `{ error: HTTP status, message }`. */
export async function expectError(status, call, message) {
  await assert.rejects(call, (e) => {
    assert.equal(e.error, status, JSON.stringify(e));
    assert.equal(typeof e.message, 'string');
    if (message) assert.match(e.message, message);
    return true;
  });
}

/** Runs `main`, exiting 1 with the error when it fails. */
export function run(main) {
  main().then(() => process.exit(0), (e) => {
    console.error(e);
    process.exit(1);
  });
}
