// @ovhcloud/node-ovh, the official Node.js client, against `peerlab serve --tls`: each
// scenario (scenarios/*.mjs) runs in its own `node`, trusting serve's CA through
// NODE_EXTRA_CA_CERTS, against its own serve (the OVH demo has two services).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runScenario, startServe, stopServe } from './serve.mjs';

async function scenario(name) {
  const serve = await startServe();
  try {
    const { code, output } = await runScenario(serve, name);
    assert.equal(code, 0, `scenario ${name} failed:\n${output}\nserve:\n${serve.output()}`);
  } finally {
    await stopServe(serve);
  }
}

test('services and the vRack: list, get, update, link and unlink, lock, the errors',
  () => scenario('services_and_vrack'));

test('a whole l3 configuration in terraform-provider-ovh order, and its delete in reverse',
  () => scenario('l3_terraform_order'));
