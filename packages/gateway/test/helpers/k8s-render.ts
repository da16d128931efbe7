/**
 * deploy/k8s rendered and checked offline: `kubectl kustomize` renders an overlay, every object
 * is validated against the Kubernetes API schemas (kubernetes-models, the OpenAPI definitions
 * compiled to validators), and the pieces the checks need are pulled out typed: Deployments and
 * their containers, Services, NetworkPolicies, ConfigMaps, and every Secret/ConfigMap key a pod
 * refers to.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { type INetworkPolicy, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, type IConfigMap, type IService, Namespace, Secret, Service } from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';

export const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
export const K8S_DIR = `${REPO}deploy/k8s`;

export type PodSpec = NonNullable<NonNullable<IDeployment['spec']>['template']['spec']>;
export type Container = PodSpec['containers'][number];
export type LabelSelector = NonNullable<IDeployment['spec']>['selector'];

/** A rendered object: what every Kubernetes object has, and the rest as the YAML says. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

export interface Rendered {
  overlay: string;
  objects: K8sObject[];
  deployments: IDeployment[];
  services: IService[];
  policies: INetworkPolicy[];
  configMaps: IConfigMap[];
}

interface Validating {
  validate(): void;
}
type ModelFor = (data: K8sObject) => Validating;

/** A model class as a function of the rendered object (its constructor checks nothing). */
function model<T>(Model: new (data: T) => Validating): ModelFor {
  return (data) => new Model(data as unknown as T);
}

/** The API schema of each kind the manifests use; a kind without one is a problem, not a pass. */
const MODELS: Record<string, ModelFor> = {
  'v1/Namespace': model(Namespace),
  'v1/ConfigMap': model(ConfigMap),
  'v1/Secret': model(Secret),
  'v1/Service': model(Service),
  'apps/v1/Deployment': model(Deployment),
  'autoscaling/v2/HorizontalPodAutoscaler': model(HorizontalPodAutoscaler),
  'policy/v1/PodDisruptionBudget': model(PodDisruptionBudget),
  'networking.k8s.io/v1/NetworkPolicy': model(NetworkPolicy),
};

/** `kubectl kustomize` of a folder under deploy/k8s; a clear error when kubectl is missing. */
export function kustomize(folder: string): string {
  try {
    return execFileSync('kubectl', ['kustomize', `${K8S_DIR}/${folder}`], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new Error(
        'kubectl is not on PATH: the deploy/k8s tests render the overlays with `kubectl kustomize` ' +
          '(the project machines have it at /usr/bin/kubectl; install kubectl to run them)',
      );
    }
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`kubectl kustomize deploy/k8s/${folder} failed: ${stderr.trim() || String(error)}`);
  }
}

/** The YAML stream as objects, each checked to look like a Kubernetes object. */
export function parseObjects(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`rendered YAML does not parse: ${doc.errors[0]?.message}`);
      return doc.toJS() as unknown;
    })
    .filter((value) => value !== null)
    .map((value) => {
      const object = value as Partial<K8sObject>;
      if (
        typeof object.apiVersion !== 'string' ||
        typeof object.kind !== 'string' ||
        !object.metadata?.name
      ) {
        throw new Error(`rendered a document that is not a Kubernetes object: ${JSON.stringify(value)}`);
      }
      return object as K8sObject;
    });
}

/** One line per object that breaks its API schema (or has none we know). */
export function schemaProblems(objects: K8sObject[]): string[] {
  return objects.flatMap((object) => {
    const id = `${object.kind}/${object.metadata.name}`;
    const model = MODELS[`${object.apiVersion}/${object.kind}`];
    if (model === undefined) return [`${id}: no API schema known for ${object.apiVersion} ${object.kind}`];
    try {
      model(object).validate();
      return [];
    } catch (error) {
      return [`${id}: ${error instanceof Error ? error.message : String(error)}`];
    }
  });
}

export function render(overlay: string): Rendered {
  const objects = parseObjects(kustomize(`overlays/${overlay}`));
  return fromObjects(overlay, objects);
}

export function fromObjects(overlay: string, objects: K8sObject[]): Rendered {
  const ofKind = <T>(kind: string) => objects.filter((o) => o.kind === kind) as unknown as T[];
  return {
    overlay,
    objects,
    deployments: ofKind<IDeployment>('Deployment'),
    services: ofKind<IService>('Service'),
    policies: ofKind<INetworkPolicy>('NetworkPolicy'),
    configMaps: ofKind<IConfigMap>('ConfigMap'),
  };
}

export function podSpecOf(deployment: IDeployment): PodSpec {
  const spec = deployment.spec?.template.spec;
  if (spec === undefined) throw new Error(`Deployment ${deployment.metadata?.name} has no pod spec`);
  return spec;
}

export function podLabelsOf(deployment: IDeployment): Record<string, string> {
  return deployment.spec?.template.metadata?.labels ?? {};
}

export function nameOf(object: { metadata?: { name?: string } }): string {
  return object.metadata?.name ?? '(unnamed)';
}

/** A reference from a pod to a key of a Secret or ConfigMap. */
export interface KeyReference {
  kind: 'Secret' | 'ConfigMap';
  name: string;
  /** undefined: the whole object (envFrom, a volume without items). */
  key?: string;
  from: string;
}

/** Every Secret and ConfigMap key the pods of a Deployment refer to (env, envFrom, volumes). */
export function keyReferences(deployment: IDeployment): KeyReference[] {
  const spec = podSpecOf(deployment);
  const from = `Deployment/${nameOf(deployment)}`;
  const containers = [...spec.containers, ...(spec.initContainers ?? [])];
  return [...containers.flatMap(envReferences), ...(spec.volumes ?? []).flatMap(volumeReferences)].map(
    (reference) => ({ ...reference, from }),
  );
}

type Reference = Omit<KeyReference, 'from'>;

function envReferences(container: Container): Reference[] {
  const references: Reference[] = [];
  for (const { valueFrom } of container.env ?? []) {
    const secret = valueFrom?.secretKeyRef;
    const config = valueFrom?.configMapKeyRef;
    if (secret) references.push({ kind: 'Secret', name: secret.name ?? '', key: secret.key });
    if (config) references.push({ kind: 'ConfigMap', name: config.name ?? '', key: config.key });
  }
  for (const { secretRef, configMapRef } of container.envFrom ?? []) {
    if (secretRef) references.push({ kind: 'Secret', name: secretRef.name ?? '' });
    if (configMapRef) references.push({ kind: 'ConfigMap', name: configMapRef.name ?? '' });
  }
  return references;
}

type Volume = NonNullable<PodSpec['volumes']>[number];

function volumeReferences(volume: Volume): Reference[] {
  const source = volume.secret
    ? { kind: 'Secret' as const, name: volume.secret.secretName ?? '', items: volume.secret.items }
    : volume.configMap
      ? { kind: 'ConfigMap' as const, name: volume.configMap.name ?? '', items: volume.configMap.items }
      : undefined;
  if (source === undefined) return [];
  if (source.items === undefined) return [{ kind: source.kind, name: source.name }];
  return source.items.map((item) => ({ kind: source.kind, name: source.name, key: item.key }));
}

/**
 * The file a container sees at `path`, as (volume, key): found through its volume mounts and the
 * volume's items. undefined when no mounted Secret or ConfigMap item is there.
 */
export function mountedKey(
  spec: PodSpec,
  container: Container,
  path: string,
): { kind: 'Secret' | 'ConfigMap'; name: string; key: string } | undefined {
  for (const mount of container.volumeMounts ?? []) {
    const prefix = mount.mountPath.endsWith('/') ? mount.mountPath : `${mount.mountPath}/`;
    if (!path.startsWith(prefix)) continue;
    const inside = path.slice(prefix.length);
    const volume = spec.volumes?.find((v) => v.name === mount.name);
    const secret = volume?.secret;
    const config = volume?.configMap;
    const items = secret?.items ?? config?.items ?? [];
    const item = items.find((i) => i.path === inside);
    if (item === undefined) continue;
    if (secret) return { kind: 'Secret', name: secret.secretName ?? '', key: item.key };
    if (config) return { kind: 'ConfigMap', name: config.name ?? '', key: item.key };
  }
  return undefined;
}
