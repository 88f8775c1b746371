import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { renderChart } from './render.ts';

/**
 * The chart, rendered offline and validated object by object against the Kubernetes (and KEDA)
 * OpenAPI schemas the kubernetes-models packages carry. What only a cluster-side CI can check:
 * `helm lint`, the CloudNativePG Cluster schema (no offline model here), admission webhooks.
 */
const MODULES: Record<string, string> = {
  'v1/Secret': 'kubernetes-models/v1/Secret',
  'v1/Service': 'kubernetes-models/v1/Service',
  'apps/v1/Deployment': 'kubernetes-models/apps/v1/Deployment',
  'batch/v1/Job': 'kubernetes-models/batch/v1/Job',
  'policy/v1/PodDisruptionBudget': 'kubernetes-models/policy/v1/PodDisruptionBudget',
  'autoscaling/v2/HorizontalPodAutoscaler': 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler',
  'keda.sh/v1alpha1/ScaledObject': '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject',
};
const UNVALIDATED = new Set(['postgresql.cnpg.io/v1/Cluster']);

async function validateAll(objects: any[]): Promise<void> {
  for (const o of objects) {
    const key = `${o.apiVersion}/${o.kind}`;
    if (UNVALIDATED.has(key)) continue;
    const mod = MODULES[key];
    assert.ok(mod, `no schema for ${key}: add it to MODULES (or say why it cannot be validated offline)`);
    const Model = (await import(mod))[o.kind];
    new Model(o).validate();
  }
}

const flat = (overrides: Record<string, string>) => renderChart(overrides).flatMap((f) => f.objects);
const byKind = (objs: any[], kind: string, name?: string) => objs.filter((o) => o.kind === kind && (!name || o.metadata.name === name));
const envOf = (podSpec: any) => Object.fromEntries(podSpec.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom]));

const BASE = { 'secret.masterKey': 'bWFzdGVy', 'secret.databaseUrl': 'postgres://u@db/sb', 'secret.redisUrl': 'redis://r:6379', 'worker.keda.redisAddress': 'r:6379' };

describe('Helm chart (rendered offline)', () => {
  it('renders valid Kubernetes objects with the defaults, with bundled Redis + CloudNativePG, and with KEDA and the HPA off', async () => {
    for (const overrides of [
      BASE,
      { 'secret.masterKey': 'bWFzdGVy', 'redis.bundled.enabled': 'true', 'postgres.cloudnativepg.enabled': 'true' },
      { existingSecret: 'sb-prod', 'worker.keda.enabled': 'false', 'api.hpa.enabled': 'false' },
    ]) {
      const objects = flat(overrides);
      assert.ok(objects.length >= 6, `rendered ${objects.length} objects`);
      await validateAll(objects);
    }
  });

  it('a manifest that breaks the schema is refused (the validation is real)', async () => {
    const [api] = byKind(flat(BASE), 'Deployment', 'switchboard-api');
    api.spec.template.spec.containers[0].ports[0].containerPort = 'three thousand';
    await assert.rejects(validateAll([api]));
  });

  it('every process gets the one PUBLIC_URL, the in-cluster API URL and the same secrets', () => {
    const objects = flat({ ...BASE, publicUrl: 'https://sb.acme.io' });
    const pods = [...byKind(objects, 'Deployment'), ...byKind(objects, 'Job')].map((o) => o.spec.template.spec);
    assert.equal(pods.length, 3);
    for (const pod of pods) {
      const env = envOf(pod);
      assert.equal(env.PUBLIC_URL, 'https://sb.acme.io');
      assert.equal(env.INTERNAL_API_URL, 'http://switchboard-api:3000');
      assert.deepEqual(env.SWITCHBOARD_MASTER_KEY, { secretKeyRef: { name: 'switchboard-secrets', key: 'SWITCHBOARD_MASTER_KEY' } });
    }
  });

  it('migrations run as a pre-install/pre-upgrade hook after the secret they read; the API is probed on /v1/health', () => {
    const objects = flat(BASE);
    const [job] = byKind(objects, 'Job');
    const [secret] = byKind(objects, 'Secret');
    assert.equal(job.metadata.annotations['helm.sh/hook'], 'pre-install,pre-upgrade');
    assert.deepEqual(job.spec.template.spec.containers[0].command, ['node', 'bin/switchboard.js', 'migrate']);
    assert.ok(Number(secret.metadata.annotations['helm.sh/hook-weight']) < Number(job.metadata.annotations['helm.sh/hook-weight']));
    const [api] = byKind(objects, 'Deployment', 'switchboard-api');
    const c = api.spec.template.spec.containers[0];
    assert.equal(c.readinessProbe.httpGet.path, '/v1/health');
    assert.equal(api.spec.replicas, undefined, 'the HPA owns the replica count');
    assert.equal(byKind(objects, 'PodDisruptionBudget').length, 2);
  });

  it('KEDA scales workers on each BullMQ wait list under the Redis prefix', () => {
    const [so] = byKind(flat({ ...BASE, redisPrefix: 'acme' }), 'ScaledObject');
    const lists = so.spec.triggers.map((t: any) => t.metadata.listName);
    assert.ok(lists.includes('acme:send:wait') && lists.includes('acme:webhook-deliveries:wait'), lists.join());
    assert.ok(so.spec.triggers.every((t: any) => t.type === 'redis' && t.metadata.address === 'r:6379'));
  });

  it('refuses to render without a master key or a KEDA Redis address, naming the value', () => {
    assert.throws(() => renderChart({ ...BASE, 'secret.masterKey': '' }), /secret\.masterKey/);
    assert.throws(() => renderChart({ ...BASE, 'worker.keda.redisAddress': '' }), /worker\.keda\.redisAddress/);
  });
});
