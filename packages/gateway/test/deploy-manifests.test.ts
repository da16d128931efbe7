/**
 * deploy/: each Kustomize overlay renders (`kubectl kustomize`), every object passes the
 * Kubernetes API schemas (kubernetes-models), the NetworkPolicies let through exactly what the
 * deployment means (computed from the selectors against the pods' labels, not read off the
 * policies' names), every container is hardened and probed, every Secret/ConfigMap key a pod
 * uses exists or is one docs/deployment.md tells the operator to create, the gateway's
 * configuration loads and points at the servers' Services; and the Dockerfiles are multi-stage,
 * non-root, with a HEALTHCHECK whose script answers as it should. Each check is also shown
 * catching a broken manifest.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import type { IDeployment } from 'kubernetes-models/apps/v1';
import {
  containerProblems,
  dockerfileProblems,
  dockerIgnores,
  documentedSecretKeys,
  gatewayConfigProblems,
  keyProblems,
  readRepoFile,
  serverProblems,
} from './helpers/k8s-checks.ts';
import {
  allowedTraffic,
  deadSelectors,
  selectedDeployments,
  selectorMatches,
} from './helpers/k8s-network.ts';
import {
  fromObjects,
  nameOf,
  podSpecOf,
  type Rendered,
  render,
  schemaProblems,
} from './helpers/k8s-render.ts';

const OVERLAYS = ['dev', 'production'] as const;
const rendered = Object.fromEntries(OVERLAYS.map((overlay) => [overlay, render(overlay)])) as Record<
  (typeof OVERLAYS)[number],
  Rendered
>;
const SERVERS = ['customer', 'knowledge', 'platform-ops', 'wallet', 'weather'];

const DNS = [
  'namespace kubernetes.io/metadata.name=kube-system pods k8s-app=kube-dns → TCP/53',
  'namespace kubernetes.io/metadata.name=kube-system pods k8s-app=kube-dns → UDP/53',
];
const PUBLIC_HTTPS = [
  'ipBlock 0.0.0.0/0 except 10.0.0.0/8,100.64.0.0/10,169.254.0.0/16,172.16.0.0/12,192.168.0.0/16 → TCP/443',
  'ipBlock ::/0 except fc00::/7,fe80::/10 → TCP/443',
];
const privateRanges = (port: number) =>
  ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map((cidr) => `ipBlock ${cidr} → TCP/${port}`);

/** What each server may reach besides DNS: its own backend and nothing else. */
const SERVER_BACKENDS: Record<string, string[]> = {
  customer: PUBLIC_HTTPS, // HubSpot, Intercom, ChargeOver
  weather: PUBLIC_HTTPS, // Open-Meteo
  'platform-ops': privateRanges(443), // the platform API
  wallet: privateRanges(5432), // its PostgreSQL
  knowledge: [], // the bundled corpus, indexed in the pod
};

const deployment = (r: Rendered, name: string): IDeployment => {
  const found = r.deployments.find((d) => nameOf(d) === name);
  assert.ok(found, `${r.overlay}: no Deployment ${name}`);
  return found;
};
const portOf = (d: IDeployment, name: string): number => {
  const port = podSpecOf(d).containers[0]?.ports?.find((p) => p.name === name)?.containerPort;
  assert.ok(port, `Deployment/${nameOf(d)} has no port named ${name}`);
  return port;
};
const sorted = (lines: string[]) => [...lines].sort();

/** The traffic each Deployment should be allowed, from the Deployments' own ports. */
function intendedTraffic(r: Rendered): Record<string, { ingress: string[]; egress: string[] }> {
  const gatewayPort = portOf(deployment(r, 'gateway'), 'http');
  const intended: Record<string, { ingress: string[]; egress: string[] }> = {
    gateway: {
      ingress: [`namespace kubernetes.io/metadata.name=ingress-nginx pods all → TCP/${gatewayPort}`],
      egress: sorted([
        ...DNS,
        ...SERVERS.map((s) => `pod ${s} → TCP/${portOf(deployment(r, s), 'mcp')}`),
        ...privateRanges(5432), // PostgreSQL
        ...privateRanges(6379), // Redis
        ...PUBLIC_HTTPS, // the OIDC issuer
      ]),
    },
  };
  for (const server of SERVERS) {
    intended[server] = {
      ingress: [`pod gateway → TCP/${portOf(deployment(r, server), 'mcp')}`],
      egress: sorted([...DNS, ...(SERVER_BACKENDS[server] ?? [])]),
    };
  }
  return intended;
}

const clone = (r: Rendered): Rendered => fromObjects(r.overlay, structuredClone(r.objects));

for (const overlay of OVERLAYS) {
  const r = rendered[overlay];
  describe(`deploy/k8s/overlays/${overlay}`, () => {
    it('renders only objects that pass the Kubernetes API schemas', () => {
      assert.deepEqual(schemaProblems(r.objects), []);
      assert.deepEqual(sorted(r.deployments.map(nameOf)), sorted(['gateway', ...SERVERS]));
      assert.ok(r.objects.every((o) => o.kind === 'Namespace' || o.metadata.namespace === 'gatehouse'));
    });

    it('lets through exactly the intended traffic, computed from the selectors and the pod labels', () => {
      const intended = intendedTraffic(r);
      for (const d of r.deployments) {
        const name = nameOf(d);
        assert.deepEqual(allowedTraffic(r, d, 'ingress'), intended[name]?.ingress, `${name} ingress`);
        assert.deepEqual(allowedTraffic(r, d, 'egress'), intended[name]?.egress, `${name} egress`);
      }
      assert.deepEqual(deadSelectors(r), []);
      const deny = r.policies.find((p) => nameOf(p) === 'default-deny');
      assert.deepEqual(deny?.spec, { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    });

    it('hardens and probes every container', () => {
      assert.deepEqual(r.deployments.flatMap(containerProblems), []);
    });

    it('checks the gateway on /readyz and /healthz, keeps it available and scales it on CPU', () => {
      const gateway = deployment(r, 'gateway');
      const container = podSpecOf(gateway).containers[0];
      assert.equal(container?.readinessProbe?.httpGet?.path, '/readyz');
      assert.equal(container?.livenessProbe?.httpGet?.path, '/healthz');
      assert.equal(container?.readinessProbe?.httpGet?.port, 'http');
      const hpa = r.objects.find((o) => o.kind === 'HorizontalPodAutoscaler') as
        | {
            apiVersion: string;
            spec: {
              scaleTargetRef: { kind: string; name: string };
              minReplicas: number;
              metrics: { resource?: { name: string } }[];
            };
          }
        | undefined;
      assert.equal(hpa?.apiVersion, 'autoscaling/v2');
      assert.deepEqual(hpa?.spec.scaleTargetRef, {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: 'gateway',
      });
      assert.deepEqual(
        hpa?.spec.metrics.map((m) => m.resource?.name),
        ['cpu'],
      );
      assert.equal(hpa?.spec.minReplicas, gateway.spec?.replicas);
      assert.equal(gateway.spec?.replicas, overlay === 'production' ? 3 : 1);
      const pdb = r.objects.find((o) => o.kind === 'PodDisruptionBudget') as
        | { spec: { selector: { matchLabels: Record<string, string> } } }
        | undefined;
      assert.deepEqual(selectedDeployments(r, pdb?.spec.selector), ['gateway']);
    });

    it('gives each Service exactly one Deployment, on a port its container opens', () => {
      for (const service of r.services) {
        const targets = selectedDeployments(r, { matchLabels: service.spec?.selector ?? {} });
        assert.deepEqual(targets, [nameOf(service)], `Service/${nameOf(service)}`);
        const containerPorts = podSpecOf(deployment(r, nameOf(service))).containers.flatMap(
          (c) => c.ports ?? [],
        );
        for (const port of service.spec?.ports ?? []) {
          assert.ok(
            containerPorts.some((p) => p.name === port.targetPort),
            `Service/${nameOf(service)} ${port.targetPort}`,
          );
        }
      }
    });

    it('refers only to Secret and ConfigMap keys that exist or that docs/deployment.md lists', () => {
      const documented = documentedSecretKeys(readRepoFile('docs/deployment.md'));
      assert.ok(documented.size > 10, 'the Secrets table of docs/deployment.md is found');
      assert.deepEqual(keyProblems(r, documented), []);
    });

    it("loads the gateway's configuration, whose upstreams reach the servers' Services over mTLS", () => {
      assert.deepEqual(gatewayConfigProblems(r), []);
    });

    it('starts each domain server from its package, on its port, with its certificate', () => {
      assert.deepEqual(
        SERVERS.flatMap((s) => serverProblems(deployment(r, s))),
        [],
      );
    });
  });
}

describe('the checks catch broken manifests', () => {
  const base = rendered.production;

  it('matches label selectors as Kubernetes does', () => {
    const labels = { app: 'a', tier: 'web' };
    assert.ok(selectorMatches({}, labels));
    assert.ok(selectorMatches({ matchLabels: { app: 'a' } }, labels));
    assert.equal(selectorMatches({ matchLabels: { app: 'b' } }, labels), false);
    assert.ok(
      selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'db'] }] }, labels),
    );
    assert.equal(
      selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['web'] }] }, labels),
      false,
    );
    assert.ok(selectorMatches({ matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }, labels));
    assert.equal(selectorMatches({ matchExpressions: [{ key: 'zone', operator: 'Exists' }] }, labels), false);
  });

  it('a server ingress rule whose selector misses the gateway admits nobody, and is reported', () => {
    const broken = clone(base);
    const policy = broken.policies.find((p) => nameOf(p) === 'wallet-ingress');
    const peer = policy?.spec?.ingress?.[0]?.from?.[0];
    assert.ok(peer?.podSelector?.matchLabels);
    peer.podSelector.matchLabels['app.kubernetes.io/name'] = 'gatway';
    const wallet = deployment(broken, 'wallet');
    assert.notDeepEqual(allowedTraffic(broken, wallet, 'ingress'), intendedTraffic(broken).wallet?.ingress);
    assert.match(
      deadSelectors(broken).join('\n'),
      /wallet-ingress: peer podSelector .*gatway selects no pod/,
    );
  });

  it('a pod labelled like the gateway would be admitted by the servers, and that shows', () => {
    const broken = clone(base);
    const weather = deployment(broken, 'weather');
    Object.assign(weather.spec?.template.metadata?.labels ?? {}, {
      'app.kubernetes.io/name': 'gateway',
      'app.kubernetes.io/component': 'gateway',
    });
    const ingress = allowedTraffic(broken, deployment(broken, 'customer'), 'ingress');
    assert.ok(ingress.includes('pod weather → TCP/7101'), ingress.join('\n'));
  });

  it('an unhardened or unprobed container, and a broken object, are reported', () => {
    const broken = clone(base);
    const container = podSpecOf(deployment(broken, 'knowledge')).containers[0];
    assert.ok(container?.securityContext);
    container.securityContext.readOnlyRootFilesystem = false;
    delete container.livenessProbe;
    assert.deepEqual(containerProblems(deployment(broken, 'knowledge')), [
      'Deployment/knowledge container server: readOnlyRootFilesystem is not true',
      'Deployment/knowledge container server: no livenessProbe',
    ]);
    (container as { ports: unknown }).ports = [{ containerPort: 'seven' }];
    assert.match(
      schemaProblems(broken.objects).join('\n'),
      /Deployment\/knowledge: .*containerPort must be integer/,
    );
  });

  it('an undocumented Secret key, a stale doc row, and an unmounted certificate are reported', () => {
    const broken = clone(base);
    const documented = documentedSecretKeys(readRepoFile('docs/deployment.md'));
    documented.delete('gatehouse-backends/redis-url');
    documented.add('gatehouse-backends/nothing');
    assert.deepEqual(keyProblems(broken, documented), [
      'Deployment/gateway: Secret gatehouse-backends key redis-url: neither rendered nor in the Secrets table of docs/deployment.md',
      'docs/deployment.md lists Secret key gatehouse-backends/nothing, which no pod uses',
    ]);
    const container = podSpecOf(deployment(broken, 'customer')).containers[0];
    assert.ok(container?.args);
    container.args[container.args.indexOf('--tls-key') + 1] = '/etc/gatehouse/key.pem';
    assert.deepEqual(serverProblems(deployment(broken, 'customer')), [
      'Deployment/customer: --tls-key /etc/gatehouse/key.pem is not a mounted Secret key',
    ]);
  });
});

describe('deploy/docker', () => {
  for (const name of ['gateway', 'server']) {
    it(`${name}.Dockerfile is multi-stage, runs as the pods' non-root user, and has a HEALTHCHECK`, () => {
      const { problems, uid } = dockerfileProblems(readRepoFile(`deploy/docker/${name}.Dockerfile`), name);
      assert.deepEqual(problems, []);
      for (const d of rendered.production.deployments) {
        assert.equal(
          podSpecOf(d).securityContext?.runAsUser,
          uid,
          `Deployment/${nameOf(d)} runs as the image's user`,
        );
      }
    });
  }

  it('server.Dockerfile installs every server the manifests start', () => {
    const text = readRepoFile('deploy/docker/server.Dockerfile');
    for (const server of SERVERS) {
      const main = podSpecOf(deployment(rendered.production, server)).containers[0]?.args?.[0] ?? '';
      assert.match(text, new RegExp(`--workspace ${main.replace(/\/src\/main\.ts$/, '')}\\b`), server);
    }
  });

  it('.dockerignore sends the sources, the lock file and the health check, and nothing installed or tested', () => {
    const ignore = readRepoFile('.dockerignore');
    const sent = [
      'package.json',
      'package-lock.json',
      'bench/package.json',
      'deploy/docker/healthcheck.mjs',
      'packages/gateway/bin/gatehouse.mjs',
      'packages/gateway/src/cli/main.ts',
      'packages/kit/package.json',
      'packages/knowledge-server/corpus/runbooks/x.md',
      'packages/wallet-server/src/main.ts',
    ];
    const kept = [
      'node_modules/pg/index.js',
      'packages/kit/node_modules/x',
      '.git/HEAD',
      'packages/gateway/test/cli.test.ts',
      'bench/overhead.ts',
      'docs/deployment.md',
      '.gatehouse/gatehouse.db',
    ];
    assert.deepEqual(
      sent.filter((path) => dockerIgnores(ignore, path)),
      [],
    );
    assert.deepEqual(
      kept.filter((path) => !dockerIgnores(ignore, path)),
      [],
    );
    assert.ok(
      dockerIgnores('deploy\n', 'deploy/docker/healthcheck.mjs'),
      'a folder pattern covers what is in it',
    );
    assert.equal(dockerIgnores('bench/**\n!bench/package.json\n', 'bench/package.json'), false);
  });

  it('a Dockerfile without USER or HEALTHCHECK, or single-stage, is reported', () => {
    const text = 'FROM node:24-slim\nCOPY . .\nRUN npm ci\nCMD ["node", "x.ts"]\n';
    assert.deepEqual(dockerfileProblems(text, 'bad').problems, [
      'bad: not multi-stage (1 FROM)',
      'bad: no build stage runs npm ci --omit=dev',
      'bad: the last stage copies nothing built',
      'bad: the last stage has no numeric USER (none)',
      'bad: the last stage has no HEALTHCHECK CMD',
    ]);
    assert.deepEqual(
      dockerfileProblems(`${text}USER node\n`, 'named').problems.at(-2),
      'named: the last stage has no numeric USER (USER node)',
    );
  });

  it('the HEALTHCHECK script exits 0 on a healthy answer and 1 on an unhealthy one or none', async () => {
    let status = 200;
    const hosts: string[] = [];
    const server = createServer((req, res) => {
      hosts.push(req.headers.host ?? '');
      res.writeHead(req.url === '/healthz' ? status : 404).end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`;
    try {
      assert.deepEqual(await healthcheck(url), { code: 0, stderr: '' });
      status = 503;
      assert.deepEqual(await healthcheck(url), { code: 1, stderr: '' });
      assert.deepEqual(hosts, ['localhost', 'localhost']);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    const refused = await healthcheck(url);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, new RegExp(`health check of ${url} failed: .*ECONNREFUSED`));
  });
});

function healthcheck(url: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['deploy/docker/healthcheck.mjs'], {
      cwd: new URL('../../../', import.meta.url),
      env: { ...process.env, GATEHOUSE_HEALTH_URL: url },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += String(chunk);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}
