import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { DaemonSet } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, Secret, Service } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

const repo = new URL('../../', import.meta.url).pathname;
const dir = path.join(repo, 'deployment/kubernetes');

/** The kinds the directory may hold, each with the model that validates it against the Kubernetes schema. */
const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/DaemonSet': DaemonSet,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
};

interface Manifest {
  file: string;
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: any;
}

async function manifests(): Promise<Manifest[]> {
  const out: Manifest[] = [];
  for (const file of (await readdir(dir)).filter((f) => f.endsWith('.yaml')).sort()) {
    for (const doc of parseAllDocuments(await readFile(path.join(dir, file), 'utf8'))) {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
      out.push({ file, ...(doc.toJS() as object) } as Manifest);
    }
  }
  return out;
}

/** Every name the config loader reads: the string literals it passes to the environment reader. */
async function configNames(): Promise<Set<string>> {
  const configDir = path.join(repo, 'orchestrator/src/config');
  const names = new Set<string>();
  for (const file of (await readdir(configDir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
    const source = await readFile(path.join(configDir, file), 'utf8');
    for (const m of source.matchAll(/['"]([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)['"]/g)) names.add(m[1]!);
  }
  return names;
}

/** Read by the AWS SDK's standard credential chain, not by agentd's loader. */
const AWS_SDK_NAMES = new Set(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']);

/** Kubernetes manifests for agentd itself, checked offline: no API server exists here for a dry run. */
describe('deployment/kubernetes', () => {
  it('every document is a known kind and valid against the Kubernetes schema', async () => {
    const all = await manifests();
    expect(all.map((m) => m.kind).sort()).toEqual(
      ['ConfigMap', 'DaemonSet', 'Namespace', 'PodDisruptionBudget', 'Secret', 'Service'].sort(),
    );
    for (const m of all) {
      const Model = MODELS[`${m.apiVersion}/${m.kind}`];
      expect(Model, `${m.file}: ${m.apiVersion} ${m.kind}`).toBeDefined();
      const { file: _file, ...data } = m;
      expect(() => new Model!(data).validate(), m.file).not.toThrow();
      if (m.kind !== 'Namespace') expect(m.metadata.namespace, m.file).toBe('agentd');
    }
  });

  it('the schema check catches a wrong type (so the test above can fail)', async () => {
    const ds = (await manifests()).find((m) => m.kind === 'DaemonSet')!;
    const { file: _file, ...data } = structuredClone(ds);
    data.spec.template.spec.containers[0].ports[0].containerPort = '8000';
    expect(() => new DaemonSet(data).validate()).toThrow(/containerPort must be integer/);
  });

  it('the DaemonSet keeps the state-dir rule: the same path on the host and in the container', async () => {
    const all = await manifests();
    const ds = all.find((m) => m.kind === 'DaemonSet')!;
    const config = all.find((m) => m.kind === 'ConfigMap')!.data as Record<string, string>;
    const pod = ds.spec.template.spec;
    const container = pod.containers[0];
    const stateDir = config.AGENTD_STATE_DIR!;
    const mount = container.volumeMounts.find((v: any) => v.mountPath === stateDir);
    expect(mount, `a mount at ${stateDir}`).toBeDefined();
    const volume = pod.volumes.find((v: any) => v.name === mount.name);
    expect(volume.hostPath.path).toBe(stateDir);
    // The engine socket is a host socket; agentd's own root stays read-only with no capabilities.
    const socket = pod.volumes.find((v: any) => v.hostPath?.path === '/var/run/docker.sock');
    expect(socket.hostPath.type).toBe('Socket');
    expect(container.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(pod.automountServiceAccountToken).toBe(false);
    // The image agentd builds for itself (`agentd image build --agentd`), as docker-compose.yml names it.
    const pkg = JSON.parse(await readFile(path.join(repo, 'package.json'), 'utf8')) as { version: string };
    expect(container.image).toBe(`agentd/agentd:${pkg.version}`);
    expect(await readFile(path.join(repo, 'docker-compose.yml'), 'utf8')).toContain(container.image);
    // One node id per Kubernetes node, stable across restarts.
    expect(container.env.find((e: any) => e.name === 'AGENTD_NODE_ID').valueFrom.fieldRef.fieldPath).toBe(
      'spec.nodeName',
    );
  });

  it('probes hit /health/live and /health/ready on the port agentd listens on; the PDB and Service select the pods', async () => {
    const all = await manifests();
    const ds = all.find((m) => m.kind === 'DaemonSet')!;
    const config = all.find((m) => m.kind === 'ConfigMap')!.data as Record<string, string>;
    const container = ds.spec.template.spec.containers[0];
    const port = container.ports.find((p: any) => p.name === 'http');
    expect(port.containerPort).toBe(Number(config.APP_PORT));
    expect(config.APP_HOST).toBe('0.0.0.0');
    expect(container.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'http' });
    const podLabels = ds.spec.template.metadata.labels as Record<string, string>;
    expect(ds.spec.selector.matchLabels).toEqual(podLabels);
    const pdb = all.find((m) => m.kind === 'PodDisruptionBudget')!;
    expect(pdb.spec.selector.matchLabels).toEqual(podLabels);
    expect(pdb.spec.maxUnavailable).toBe(1);
    const service = all.find((m) => m.kind === 'Service')!;
    expect(service.spec.selector).toEqual(podLabels);
    // A drain lets runs finish: the pod's grace period outlasts agentd's own shutdown timeout.
    const shutdownSeconds = Number(/^(\d+)s$/.exec(config.SHUTDOWN_TIMEOUT!)?.[1]);
    expect(ds.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(shutdownSeconds);
    // envFrom points at the ConfigMap and Secret defined here.
    const names = new Set(all.map((m) => `${m.kind}/${m.metadata.name}`));
    for (const from of container.envFrom) {
      if (from.configMapRef) expect(names).toContain(`ConfigMap/${from.configMapRef.name}`);
      if (from.secretRef) expect(names).toContain(`Secret/${from.secretRef.name}`);
    }
  });

  it('every environment name the manifests set is one agentd reads', async () => {
    const all = await manifests();
    const known = await configNames();
    // The reader itself is found (so an empty set cannot pass this test).
    for (const name of ['DATABASE_URL', 'AGENTD_STATE_DIR', 'APP_PORT']) expect(known).toContain(name);
    const used: string[] = [];
    for (const m of all) {
      if (m.kind === 'ConfigMap') used.push(...Object.keys(m.data ?? {}));
      if (m.kind === 'Secret') used.push(...Object.keys(m.stringData ?? {}), ...Object.keys(m.data ?? {}));
      if (m.kind === 'DaemonSet')
        for (const c of m.spec.template.spec.containers) used.push(...(c.env ?? []).map((e: any) => e.name));
    }
    expect(used.length).toBeGreaterThan(10);
    expect(used.filter((name) => !known.has(name) && !AWS_SDK_NAMES.has(name))).toEqual([]);
  });
});
