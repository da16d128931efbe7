/**
 * The checks deploy-manifests.test.ts runs on each rendered overlay, each returning the problems
 * it finds as lines (none: it holds), so a test can also show that a broken manifest is caught.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { IDeployment } from 'kubernetes-models/apps/v1';
import { parse, stringify } from 'yaml';
import { formatIssue, loadConfigText } from '../../src/config/load.ts';
import { selectedDeployments } from './k8s-network.ts';
import {
  type Container,
  keyReferences,
  mountedKey,
  nameOf,
  type PodSpec,
  podSpecOf,
  REPO,
  type Rendered,
} from './k8s-render.ts';

/** Values standing in for the operator's Secrets when the gateway's configuration is loaded. */
export const SAMPLE_SECRET_VALUES: Record<string, string> = {
  'gatehouse-backends/postgres-url': 'postgres://gatehouse@postgres.internal:5432/gatehouse',
  'gatehouse-backends/redis-url': 'redis://redis.internal:6379',
};

/** Every flag's values in an argv (`--flag value`). */
export function argValues(args: readonly string[], flag: string): string[] {
  return args.flatMap((arg, i) => (arg === flag && args[i + 1] !== undefined ? [args[i + 1] as string] : []));
}

/** The hardening and operation every container needs; one line per thing missing. */
export function containerProblems(deployment: IDeployment): string[] {
  const spec = podSpecOf(deployment);
  return spec.containers.flatMap((container) => {
    const id = `Deployment/${nameOf(deployment)} container ${container.name}`;
    return [...hardeningProblems(spec, container), ...operationProblems(spec, container)].map(
      (problem) => `${id}: ${problem}`,
    );
  });
}

/** Non-root, read-only root, no privilege escalation, no capabilities, the runtime's seccomp. */
function hardeningProblems(spec: PodSpec, container: Container): string[] {
  const pod = spec.securityContext ?? {};
  const sc = container.securityContext ?? {};
  const checks: [boolean, string][] = [
    [(sc.runAsNonRoot ?? pod.runAsNonRoot) === true, 'runAsNonRoot is not true'],
    [(sc.runAsUser ?? pod.runAsUser ?? 0) !== 0, 'runs as uid 0 (or none is set)'],
    [sc.readOnlyRootFilesystem === true, 'readOnlyRootFilesystem is not true'],
    [sc.allowPrivilegeEscalation === false, 'allowPrivilegeEscalation is not false'],
    [(sc.capabilities?.drop ?? []).includes('ALL'), 'capabilities do not drop ALL'],
    [(sc.capabilities?.add ?? []).length === 0, `adds capabilities ${sc.capabilities?.add?.join(',')}`],
    [
      (sc.seccompProfile ?? pod.seccompProfile)?.type === 'RuntimeDefault',
      'seccompProfile is not RuntimeDefault',
    ],
  ];
  return checks.filter(([holds]) => !holds).map(([, problem]) => problem);
}

/** Probes, requests and a memory limit, and a writable /tmp under the read-only root. */
function operationProblems(spec: PodSpec, container: Container): string[] {
  const resources = container.resources ?? {};
  const checks: [boolean, string][] = [
    [container.readinessProbe !== undefined, 'no readinessProbe'],
    [container.livenessProbe !== undefined, 'no livenessProbe'],
    [Boolean(resources.requests?.cpu && resources.requests.memory), 'no cpu and memory requests'],
    [Boolean(resources.limits?.memory), 'no memory limit'],
    [writableTmp(spec, container), '/tmp is not a writable emptyDir'],
  ];
  return checks.filter(([holds]) => !holds).map(([, problem]) => problem);
}

function writableTmp(spec: PodSpec, container: Container): boolean {
  const mount = container.volumeMounts?.find((m) => m.mountPath === '/tmp');
  const volume = spec.volumes?.find((v) => v.name === mount?.name);
  return mount !== undefined && mount.readOnly !== true && volume?.emptyDir !== undefined;
}

/**
 * Every Secret/ConfigMap key a pod refers to exists in the render, or (a Secret) is one the
 * operator creates as docs/deployment.md lists it; and every listed one is used.
 */
export function keyProblems(rendered: Rendered, documented: Set<string>): string[] {
  const problems: string[] = [];
  const used = new Set<string>();
  for (const reference of rendered.deployments.flatMap(keyReferences)) {
    const id = `${reference.from}: ${reference.kind} ${reference.name}${reference.key ? ` key ${reference.key}` : ''}`;
    const object = rendered.objects.find(
      (o) => o.kind === reference.kind && o.metadata.name === reference.name,
    );
    if (object !== undefined) {
      const data = { ...(object.data as object | undefined), ...(object.stringData as object | undefined) };
      if (reference.key !== undefined && !(reference.key in data)) problems.push(`${id}: no such key`);
      continue;
    }
    if (reference.kind === 'ConfigMap') {
      problems.push(`${id}: no such ConfigMap in the render`);
      continue;
    }
    const row = `${reference.name}/${reference.key ?? '*'}`;
    used.add(row);
    if (!documented.has(row))
      problems.push(`${id}: neither rendered nor in the Secrets table of docs/deployment.md`);
  }
  for (const row of documented) {
    if (!used.has(row)) problems.push(`docs/deployment.md lists Secret key ${row}, which no pod uses`);
  }
  return problems;
}

/** The Secrets table of docs/deployment.md as "secret/key" rows. */
export function documentedSecretKeys(markdown: string): Set<string> {
  const rows = [...markdown.matchAll(/^\|\s*`([a-z0-9-]+)`\s*\|\s*`([^`]+)`\s*\|/gm)];
  return new Set(rows.map((m) => `${m[1]}/${m[2]}`));
}

/** The gateway: a Deployment, its configuration file, and where the domain servers are. */
export function gatewayConfigProblems(rendered: Rendered): string[] {
  const gateway = rendered.deployments.find((d) => nameOf(d) === 'gateway');
  if (gateway === undefined) return ['no gateway Deployment'];
  const spec = podSpecOf(gateway);
  const container = spec.containers[0] as Container;
  const configPath = argValues(container.args ?? [], '--config')[0];
  if (configPath === undefined) return ['the gateway container has no --config argument'];
  const file = mountedKey(spec, container, configPath);
  const configMap = rendered.configMaps.find((c) => nameOf(c) === file?.name);
  const text = file ? configMap?.data?.[file.key] : undefined;
  if (text === undefined) return [`${configPath} is not a mounted ConfigMap key of the render`];
  const problems: string[] = [];
  const config = parse(text) as {
    upstreams?: { name: string; url?: string; tls?: Record<string, string> }[];
  };
  for (const upstream of config.upstreams ?? []) {
    problems.push(...upstreamProblems(rendered, spec, container, upstream));
    // upstreams[].tls names files that exist only in the pod, and the loader reads them (the mTLS
    // part of issue 19): they are checked above against the pod's mounts and left out of the load.
    delete upstream.tls;
  }
  const loaded = loadConfigText(stringify(config), configPath, gatewayEnv(rendered, container));
  if (!loaded.ok) problems.push(...loaded.issues.map((issue) => `gatehouse.yaml: ${formatIssue(issue)}`));
  return problems;
}

/** The gateway container's environment as the kubelet would give it (operator Secrets: samples). */
function gatewayEnv(rendered: Rendered, container: Container): Record<string, string> {
  const env: Record<string, string> = {};
  for (const variable of container.env ?? []) {
    const secret = variable.valueFrom?.secretKeyRef;
    const config = variable.valueFrom?.configMapKeyRef;
    const value =
      variable.value ??
      (secret ? SAMPLE_SECRET_VALUES[`${secret.name}/${secret.key}`] : undefined) ??
      (config ? rendered.configMaps.find((c) => nameOf(c) === config.name)?.data?.[config.key] : undefined);
    if (value !== undefined) env[variable.name] = value;
  }
  return env;
}

/** An HTTP upstream reaches a Service of a domain server that accepts its Host, over mTLS. */
function upstreamProblems(
  rendered: Rendered,
  spec: PodSpec,
  container: Container,
  upstream: { name: string; url?: string; tls?: Record<string, string> },
): string[] {
  const id = `upstream ${upstream.name}`;
  const problems: string[] = [];
  for (const field of ['ca', 'cert', 'key']) {
    const path = upstream.tls?.[field];
    const found = path === undefined ? undefined : mountedKey(spec, container, path);
    if (found?.kind !== 'Secret') problems.push(`${id}: tls.${field} (${path}) is not a mounted Secret key`);
  }
  const url = new URL(upstream.url ?? 'invalid:');
  if (url.protocol !== 'https:') problems.push(`${id}: ${url.href} is not https`);
  const service = rendered.services.find((s) => nameOf(s) === url.hostname);
  const servicePort = service?.spec?.ports?.find((p) => String(p.port) === url.port);
  if (service === undefined || servicePort === undefined) {
    return [...problems, `${id}: no Service ${url.hostname} with port ${url.port}`];
  }
  const [target, ...more] = selectedDeployments(rendered, { matchLabels: service.spec?.selector ?? {} });
  const deployment = rendered.deployments.find((d) => nameOf(d) === target);
  if (deployment === undefined || more.length > 0) {
    return [
      ...problems,
      `${id}: Service ${url.hostname} selects ${[target, ...more].join(', ') || 'no pod'}`,
    ];
  }
  const server = podSpecOf(deployment).containers[0] as Container;
  if (!argValues(server.args ?? [], '--allowed-host').includes(url.hostname)) {
    problems.push(`${id}: Deployment/${target} does not accept Host ${url.hostname} (--allowed-host)`);
  }
  const port = server.ports?.find(
    (p) => p.name === servicePort.targetPort || p.containerPort === servicePort.targetPort,
  );
  if (port === undefined)
    problems.push(`${id}: Service ${url.hostname} targets no port of Deployment/${target}`);
  return problems;
}

/** A domain server starts the way its package does, on its port, with its certificate mounted. */
export function serverProblems(deployment: IDeployment): string[] {
  const id = `Deployment/${nameOf(deployment)}`;
  const spec = podSpecOf(deployment);
  const container = spec.containers[0] as Container;
  const args = container.args ?? [];
  const problems: string[] = [];
  const main = args[0] ?? '';
  if (!/^packages\/[a-z-]+-server\/src\/main\.ts$/.test(main) || !existsSync(`${REPO}${main}`)) {
    problems.push(`${id}: ${main || '(no args)'} is not a domain server's main.ts`);
  }
  const port = container.ports?.find((p) => p.name === 'mcp')?.containerPort;
  if (argValues(args, '--port')[0] !== String(port))
    problems.push(`${id}: --port is not the mcp port ${port}`);
  if (argValues(args, '--host')[0] !== '0.0.0.0') problems.push(`${id}: --host is not 0.0.0.0`);
  for (const flag of ['--tls-cert', '--tls-key', '--tls-client-ca']) {
    const path = argValues(args, flag)[0];
    const found = path === undefined ? undefined : mountedKey(spec, container, path);
    if (found?.kind !== 'Secret')
      problems.push(`${id}: ${flag} ${path ?? '(missing)'} is not a mounted Secret key`);
  }
  return problems;
}

/** A Dockerfile is multi-stage, installs production dependencies only, runs as a numbered non-root user, and has a HEALTHCHECK. */
export function dockerfileProblems(text: string, name: string): { problems: string[]; uid?: number } {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const starts = lines.flatMap((line, i) => (/^FROM\s/i.test(line) ? [i] : []));
  const problems: string[] = [];
  if (starts.length < 2) problems.push(`${name}: not multi-stage (${starts.length} FROM)`);
  const final = lines.slice(starts.at(-1) ?? 0);
  const earlier = lines.slice(0, starts.at(-1) ?? 0);
  if (!earlier.some((line) => /^RUN\s.*npm ci\b.*--omit=dev/.test(line))) {
    problems.push(`${name}: no build stage runs npm ci --omit=dev`);
  }
  if (!final.some((line) => /^COPY\s+--from=/.test(line)))
    problems.push(`${name}: the last stage copies nothing built`);
  const user = final.filter((line) => /^USER\s/i.test(line)).at(-1);
  const uid = user === undefined ? undefined : /^USER\s+(\d+)(?::\d+)?$/i.exec(user)?.[1];
  if (uid === undefined) problems.push(`${name}: the last stage has no numeric USER (${user ?? 'none'})`);
  else if (Number(uid) === 0) problems.push(`${name}: USER is root`);
  if (!final.some((line) => /^HEALTHCHECK\s+(--\S+\s+)*CMD\s/i.test(line))) {
    problems.push(`${name}: the last stage has no HEALTHCHECK CMD`);
  }
  return { problems, ...(uid === undefined ? {} : { uid: Number(uid) }) };
}

export function readRepoFile(path: string): string {
  return readFileSync(`${REPO}${path}`, 'utf8');
}

/** Docker's glob wildcards as regular expressions over slash-separated paths. */
const GLOB_PARTS: Record<string, string> = { '**/': '(?:.*/)?', '**': '.*', '*': '[^/]*', '?': '[^/]' };

/**
 * Whether .dockerignore keeps `path` out of the build context: its patterns in order, the last
 * one that matches deciding (`!` re-includes), a pattern matching a folder covering what is in
 * it; `**` any number of folders, `*` and `?` within one name (Docker's rules).
 */
export function dockerIgnores(dockerignore: string, path: string): boolean {
  const patterns = dockerignore
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  let ignored = false;
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!');
    const glob = (negated ? pattern.slice(1) : pattern).replace(/^\/+/, '');
    const source = glob
      .split(/(\*\*\/?|\*|\?)/)
      .map((part) => GLOB_PARTS[part] ?? part.replace(/[.+^${}()|[\]\\]/g, '\\$&'))
      .join('');
    if (new RegExp(`^${source}(?:/.*)?$`).test(path)) ignored = !negated;
  }
  return ignored;
}
