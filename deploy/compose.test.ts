import { test } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { parse } from 'yaml';

/**
 * docker-compose.yml, read as data (no docker here): every Switchboard process gets the same
 * environment, with one PUBLIC_URL (providers call it and signatures are checked against it) that
 * defaults to the host port the api is published on, and the in-network API address a worker uses
 * for calls to the API itself (its own localhost is the worker).
 */
const compose = parse(fs.readFileSync(new URL('../docker-compose.yml', import.meta.url), 'utf8'), { merge: true });

test('api and worker share one environment: one PUBLIC_URL and the in-network API URL', () => {
  const { api, worker } = compose.services;
  assert.deepEqual(worker.environment, api.environment, 'the same environment for every process');
  assert.equal(api.environment.PUBLIC_URL, '${PUBLIC_URL:-http://localhost:${PORT:-3000}}');
  assert.deepEqual(api.ports, ['${PORT:-3000}:3000'], 'PUBLIC_URL defaults to the published host port');
  assert.equal(api.environment.INTERNAL_API_URL, `http://api:${api.environment.PORT}`, "a worker reaches the api by its service name, not its own localhost");
});
