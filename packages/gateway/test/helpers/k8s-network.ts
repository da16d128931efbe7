/**
 * What the NetworkPolicies of a rendered overlay let through, computed the way Kubernetes does:
 * a pod selected by no policy of a direction is open in that direction; a pod selected by some
 * is open only to the union of their rules. Peers are resolved against the Deployments' pod
 * template labels (podSelector, in the policy's namespace), the namespace's labels
 * (namespaceSelector; Kubernetes adds kubernetes.io/metadata.name itself) or stay an address
 * range (ipBlock). The result is a set of "peer → port" lines per Deployment and direction, so a
 * test can compare it with what the deployment means to allow.
 */
import type { IDeployment } from 'kubernetes-models/apps/v1';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import {
  type Container,
  type LabelSelector,
  nameOf,
  podLabelsOf,
  podSpecOf,
  type Rendered,
} from './k8s-render.ts';

type Requirement = NonNullable<LabelSelector['matchExpressions']>[number];
type Rule = NonNullable<INetworkPolicy['spec']>['ingress'] extends (infer R)[] | undefined ? R : never;
type Peer = NonNullable<Rule['from']>[number];
type Port = NonNullable<Rule['ports']>[number];

/** Whether `labels` satisfy a LabelSelector (an empty selector matches everything). */
export function selectorMatches(
  selector: LabelSelector | undefined,
  labels: Record<string, string>,
): boolean {
  if (selector === undefined) return true;
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
  return (
    byLabel && (selector.matchExpressions ?? []).every((requirement) => requirementHolds(requirement, labels))
  );
}

function requirementHolds(requirement: Requirement, labels: Record<string, string>): boolean {
  const value = labels[requirement.key];
  const values = requirement.values ?? [];
  switch (requirement.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    default:
      throw new Error(`unknown label selector operator ${requirement.operator}`);
  }
}

/** The Deployments whose pods a selector picks (in the one namespace the overlay renders into). */
export function selectedDeployments(rendered: Rendered, selector: LabelSelector | undefined): string[] {
  return rendered.deployments.filter((d) => selectorMatches(selector, podLabelsOf(d))).map(nameOf);
}

/** The labels of the namespace the overlay renders into, as the API server will have them. */
function namespaceLabels(rendered: Rendered, namespace: string): Record<string, string> {
  const object = rendered.objects.find((o) => o.kind === 'Namespace' && o.metadata.name === namespace);
  return { ...(object?.metadata.labels ?? {}), 'kubernetes.io/metadata.name': namespace };
}

function describeSelector(selector: LabelSelector | undefined): string {
  const labels = Object.entries(selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  const expressions = (selector?.matchExpressions ?? []).map(
    (r) => `${r.key} ${r.operator}${r.values ? ` (${r.values.join(',')})` : ''}`,
  );
  const all = [...labels, ...expressions];
  return all.length === 0 ? 'all' : all.join(',');
}

/** The peers of one rule as readable names: Deployment names here, else a description. */
function peerNames(rendered: Rendered, namespace: string, peers: Peer[] | undefined): string[] {
  if (peers === undefined || peers.length === 0) return ['anyone'];
  return peers.flatMap((peer): string[] => {
    if (peer.ipBlock) {
      const except = peer.ipBlock.except?.length ? ` except ${peer.ipBlock.except.join(',')}` : '';
      return [`ipBlock ${peer.ipBlock.cidr}${except}`];
    }
    const here =
      peer.namespaceSelector === undefined ||
      selectorMatches(peer.namespaceSelector, namespaceLabels(rendered, namespace));
    const names: string[] = here
      ? selectedDeployments(rendered, peer.podSelector).map((n) => `pod ${n}`)
      : [];
    if (peer.namespaceSelector !== undefined) {
      const pods = describeSelector(peer.podSelector);
      names.push(`namespace ${describeSelector(peer.namespaceSelector)} pods ${pods}`);
    }
    return names.length === 0 ? [`nothing (podSelector ${describeSelector(peer.podSelector)})`] : names;
  });
}

/** A rule's ports as "TCP/7101"; a named port is looked up in the selected pods' containers. */
function portNames(ports: Port[] | undefined, containers: Container[]): string[] {
  if (ports === undefined || ports.length === 0) return ['any port'];
  return ports.map((port) => {
    const protocol = port.protocol ?? 'TCP';
    if (typeof port.port === 'string') {
      const found = containers.flatMap((c) => c.ports ?? []).find((p) => p.name === port.port);
      return `${protocol}/${found?.containerPort ?? `unknown port name ${port.port}`}`;
    }
    return `${protocol}/${port.port ?? 'any'}`;
  });
}

export type Direction = 'ingress' | 'egress';

/**
 * Everything the policies let reach a Deployment's pods (ingress) or let them reach (egress), as
 * sorted "peer → port" lines; ["anyone → any port"] when no policy isolates that direction.
 */
export function allowedTraffic(rendered: Rendered, deployment: IDeployment, direction: Direction): string[] {
  const namespace = deployment.metadata?.namespace ?? 'default';
  const applying = policiesIsolating(rendered, deployment, direction);
  if (applying.length === 0) return ['anyone → any port'];
  const lines = new Set<string>();
  for (const rule of applying.flatMap((policy) => rulesOf(policy, direction))) {
    const containers =
      direction === 'ingress' ? podSpecOf(deployment).containers : peerContainers(rendered, rule.peers);
    for (const peer of peerNames(rendered, namespace, rule.peers)) {
      for (const port of portNames(rule.ports, containers)) lines.add(`${peer} → ${port}`);
    }
  }
  return [...lines].sort();
}

/** The policies of the Deployment's namespace that select its pods for that direction. */
function policiesIsolating(
  rendered: Rendered,
  deployment: IDeployment,
  direction: Direction,
): INetworkPolicy[] {
  const labels = podLabelsOf(deployment);
  const namespace = deployment.metadata?.namespace ?? 'default';
  const policyType = direction === 'ingress' ? 'Ingress' : 'Egress';
  return rendered.policies.filter(
    (p) =>
      (p.metadata?.namespace ?? 'default') === namespace &&
      selectorMatches(p.spec?.podSelector, labels) &&
      policyTypesOf(p).includes(policyType),
  );
}

/** A policy's rules of one direction as (peers, ports): `from` for ingress, `to` for egress. */
function rulesOf(policy: INetworkPolicy, direction: Direction): { peers?: Peer[]; ports?: Port[] }[] {
  if (direction === 'ingress')
    return (policy.spec?.ingress ?? []).map((r) => ({ peers: r.from, ports: r.ports }));
  return (policy.spec?.egress ?? []).map((r) => ({ peers: r.to, ports: r.ports }));
}

/** The containers of the Deployments a rule's peers select (for named egress ports). */
function peerContainers(rendered: Rendered, peers: Peer[] | undefined): Container[] {
  return rendered.deployments
    .filter((d) =>
      (peers ?? []).some(
        (p) => p.podSelector !== undefined && selectorMatches(p.podSelector, podLabelsOf(d)),
      ),
    )
    .flatMap((d) => podSpecOf(d).containers);
}

/** A policy's types as the API server defaults them (Ingress, plus Egress when it has egress rules). */
function policyTypesOf(policy: INetworkPolicy): string[] {
  if (policy.spec?.policyTypes !== undefined) return policy.spec.policyTypes;
  return policy.spec?.egress !== undefined ? ['Ingress', 'Egress'] : ['Ingress'];
}

/**
 * Selectors that pick no pod at all: a policy's own podSelector (other than the empty one) and
 * each in-namespace podSelector peer. Such a selector is a typo or a stale label.
 */
export function deadSelectors(rendered: Rendered): string[] {
  return rendered.policies.flatMap((policy) => {
    const own = policy.spec?.podSelector;
    const id = `NetworkPolicy/${nameOf(policy)}`;
    const problems: string[] = [];
    if (describeSelector(own) !== 'all' && selectedDeployments(rendered, own).length === 0) {
      problems.push(`${id}: podSelector ${describeSelector(own)} selects no pod`);
    }
    const peers = [...rulesOf(policy, 'ingress'), ...rulesOf(policy, 'egress')].flatMap((r) => r.peers ?? []);
    for (const peer of peers) {
      const inNamespace = peer.podSelector !== undefined && peer.namespaceSelector === undefined;
      if (inNamespace && selectedDeployments(rendered, peer.podSelector).length === 0) {
        problems.push(`${id}: peer podSelector ${describeSelector(peer.podSelector)} selects no pod`);
      }
    }
    return problems;
  });
}
