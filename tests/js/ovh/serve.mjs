// A `peerlab serve --tls` for one scenario, and the scenario run against it as a child `node`
// process that trusts serve's CA through NODE_EXTRA_CA_CERTS (read by Node at start-up, as a
// user would set it), with the OVH credentials and the URL in its environment.
//
// Fails, never skips, when the binary is missing or serve does not come up.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(here, '..', '..', '..');
export const BINARY = join(ROOT, 'target', 'debug', 'peerlab');

export const CREDENTIALS = {
  appKey: 'testappkey000001',
  appSecret: 'testapplicationsecret00000000001',
  consumerKey: 'testconsumerkey00000000000000001',
};
// Tasks take this long on the task clock; scenarios move the clock instead of waiting.
export const TASK_SECS = 100;

/** Starts `peerlab serve --tls` on a free port; resolves once it printed its CA and URL. */
export function startServe() {
  if (!existsSync(BINARY)) {
    throw new Error(`${BINARY} is missing: run \`cargo build -p peerlab\``);
  }
  const child = spawn(BINARY, [
    'serve', '--tls', '--listen', '127.0.0.1:0',
    '--ovh-application-key', CREDENTIALS.appKey,
    '--ovh-application-secret', CREDENTIALS.appSecret,
    '--ovh-consumer-key', CREDENTIALS.consumerKey,
    '--ovh-task-secs', String(TASK_SECS),
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`peerlab serve did not start within 20 s: ${output}`));
    }, 20000);
    const look = (chunk) => {
      output += chunk;
      const ca = /^ca_certificate: (.+)$/m.exec(output);
      const url = /^listening: (https:\/\/\S+)$/m.exec(output);
      if (ca && url) {
        clearTimeout(timer);
        const port = Number(new URL(url[1]).port);
        resolve({ child, ca: ca[1], port, output: () => output });
      }
    };
    child.stdout.on('data', look);
    child.stderr.on('data', (chunk) => { output += chunk; });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`peerlab serve exited with ${code}: ${output}`));
    });
  });
}

/** Stops serve (SIGTERM) and waits for it. */
export function stopServe(serve) {
  return new Promise((resolve) => {
    if (serve.child.exitCode !== null) return resolve();
    serve.child.removeAllListeners('exit');
    serve.child.on('exit', () => resolve());
    serve.child.kill('SIGTERM');
  });
}

/** Runs `scenarios/NAME.mjs` against `serve`; resolves to its exit code and output. */
export function runScenario(serve, name) {
  const script = join(here, 'scenarios', `${name}.mjs`);
  const child = spawn(process.execPath, [script], {
    env: {
      ...process.env,
      NODE_EXTRA_CA_CERTS: serve.ca,
      PEERLAB_PORT: String(serve.port),
      PEERLAB_CA: serve.ca,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => { output += chunk; });
  child.stderr.on('data', (chunk) => { output += chunk; });
  return new Promise((resolve) => {
    child.on('exit', (code) => resolve({ code, output }));
  });
}

