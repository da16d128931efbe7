/**
 * The merged catalog: every upstream's tools, prompts, resources and templates under the names
 * clients see, each entry remembering which upstream owns it and under which name. Rebuilt from
 * the upstreams' snapshots whenever one changes; reports what changed so clients can be told.
 */
import type { Prompt, Resource, ResourceTemplateType, Tool } from '@modelcontextprotocol/client';
import { UriTemplate } from '@modelcontextprotocol/server';
import { canonicalJson } from '../audit/chain.ts';
import type { UpstreamModel } from '../config/model.ts';
import type { Logger } from '../observability/logger.ts';
import type { Target } from '../policy/decide.ts';
import { hideInjected, injectedArguments } from '../policy/inject.ts';
import { type ShapingPlan, shapeTool, shapingPlanFor } from '../shaping/plan.ts';
import type { ListKind, Upstream } from '../upstream/upstream.ts';
import { exposeName, namespacedName } from './naming.ts';

export interface Routed<T> {
  upstream: Upstream;
  /** The name (or URI) the upstream knows it by. */
  original: string;
  /** The item as clients see it. */
  item: T;
  /** Tools only: how results are shaped (upstreams[].shaping); absent when they are not. */
  shaping?: ShapingPlan;
}

export interface Collision {
  kind: 'tool' | 'prompt' | 'resource' | 'template';
  name: string;
  kept: string;
  dropped: string;
}

interface Built {
  tools: Map<string, Routed<Tool>>;
  prompts: Map<string, Routed<Prompt>>;
  resources: Map<string, Routed<Resource>>;
  templates: Map<string, Routed<ResourceTemplateType> & { matcher: UriTemplate }>;
  aliases: { tools: Map<string, string>; prompts: Map<string, string> };
  collisions: Collision[];
  /** Upstreams that are not serving, with what they exposed when they last did. */
  missing: MissingUpstream[];
}

/** An upstream that is down or evicted, and the targets it exposed when it was last up. */
export interface MissingUpstream {
  upstream: Upstream;
  lastSeen: readonly Target[];
}

function emptyBuild(): Built {
  return {
    tools: new Map(),
    prompts: new Map(),
    resources: new Map(),
    templates: new Map(),
    aliases: { tools: new Map(), prompts: new Map() },
    collisions: [],
    missing: [],
  };
}

/** The content of a list as text; key order never counts as a change (a pinned tool is served sorted). */
function fingerprint(map: Map<string, Routed<unknown>>): string {
  return canonicalJson([...map.values()].map((r) => [r.upstream.name, r.item]));
}

/**
 * Decides which of an upstream's listed tools the catalog takes in, and as what (tool pinning):
 * every path by which tools enter — startup, list_changed re-list, reconnect — passes through it.
 */
export type ToolAdmission = (upstream: UpstreamModel, tools: readonly Tool[]) => readonly Tool[];

export class Catalog {
  private built: Built = emptyBuild();
  /** Increases on every rebuild; views derived from the catalog key their caches on it. */
  version = 0;
  private readonly maxNameLength: number;
  private readonly log: Logger;
  private upstreams: readonly Upstream[];
  private readonly admit: ToolAdmission;
  /** Per upstream name: the targets it exposed in its last non-empty snapshot. */
  private readonly lastSeen = new Map<string, Target[]>();
  /** Shaped tools already reported for declaring `continuation` themselves. */
  private readonly continuationTaken = new Set<string>();

  constructor(
    upstreams: readonly Upstream[],
    maxNameLength: number,
    log: Logger,
    admit: ToolAdmission = (_upstream, tools) => tools,
  ) {
    this.upstreams = upstreams;
    this.admit = admit;
    this.maxNameLength = maxNameLength;
    this.log = log;
  }

  /** A reload changed the set of upstreams; call rebuild() next. */
  setUpstreams(upstreams: readonly Upstream[]): void {
    this.upstreams = upstreams;
  }

  /** Rebuilds from the upstreams' snapshots; returns the kinds whose content changed. */
  rebuild(): ListKind[] {
    const before = this.built;
    const next = emptyBuild();
    for (const upstream of this.upstreams) {
      const before = next.tools.size + next.prompts.size + next.resources.size + next.templates.size;
      this.add(next, upstream);
      const added = next.tools.size + next.prompts.size + next.resources.size + next.templates.size;
      if (added > before) this.lastSeen.set(upstream.name, exposedBy(next, upstream));
      else if (upstream.state !== 'ready') {
        next.missing.push({ upstream, lastSeen: this.lastSeen.get(upstream.name) ?? [] });
      }
    }
    this.built = next;
    this.version++;
    // Report each collision once, when it appears, not again on every rebuild.
    const known = new Set(before.collisions.map((c) => JSON.stringify(c)));
    for (const c of next.collisions.filter((c) => !known.has(JSON.stringify(c)))) {
      this.log.error(
        { code: 'CATALOG_COLLISION', ...c },
        `${c.kind} "${c.name}" is exposed by both "${c.kept}" and "${c.dropped}"; "${c.kept}" wins`,
      );
    }
    const changed: ListKind[] = [];
    if (fingerprint(before.tools) !== fingerprint(next.tools)) changed.push('tools');
    if (fingerprint(before.prompts) !== fingerprint(next.prompts)) changed.push('prompts');
    if (
      fingerprint(before.resources) !== fingerprint(next.resources) ||
      fingerprint(before.templates) !== fingerprint(next.templates)
    ) {
      changed.push('resources');
    }
    return changed;
  }

  private add(b: Built, upstream: Upstream): void {
    const ns = upstream.model.namespace;
    const { prompts, resources, templates } = upstream.snapshot;
    for (const tool of this.admit(upstream.model, upstream.snapshot.tools)) {
      const { exposed, full } = exposeName(ns, tool.name, this.maxNameLength);
      if (this.claim(b, b.tools, 'tool', exposed, upstream)) {
        b.tools.set(exposed, this.toolEntry(upstream, tool, exposed));
        if (full !== exposed) b.aliases.tools.set(full, exposed);
      }
    }
    for (const prompt of prompts) {
      const { exposed, full } = exposeName(ns, prompt.name, this.maxNameLength);
      if (this.claim(b, b.prompts, 'prompt', exposed, upstream)) {
        b.prompts.set(exposed, { upstream, original: prompt.name, item: { ...prompt, name: exposed } });
        if (full !== exposed) b.aliases.prompts.set(full, exposed);
      }
    }
    for (const resource of resources) {
      if (this.claim(b, b.resources, 'resource', resource.uri, upstream)) {
        b.resources.set(resource.uri, { upstream, original: resource.uri, item: resource });
      }
    }
    for (const template of templates) {
      if (this.claim(b, b.templates, 'template', template.uriTemplate, upstream)) {
        b.templates.set(template.uriTemplate, {
          upstream,
          original: template.uriTemplate,
          item: template,
          matcher: new UriTemplate(template.uriTemplate),
        });
      }
    }
  }

  /**
   * A tool as callers see it: injected arguments hidden, and — when a shaping rule matches —
   * the outputSchema its shaped results satisfy, with the plan kept for the shape stage.
   */
  private toolEntry(upstream: Upstream, tool: Tool, exposed: string): Routed<Tool> {
    const visible = hideInjected(tool, injectedArguments(upstream.model.inject, tool.name));
    const shaping = shapingPlanFor(upstream.model.shaping, tool);
    if (shaping === undefined) return { upstream, original: tool.name, item: { ...visible, name: exposed } };
    if (shaping.rule.tokenBudget !== null && !shaping.paged) this.warnContinuationTaken(upstream, tool.name);
    return {
      upstream,
      original: tool.name,
      item: { ...shapeTool(visible, shaping), name: exposed },
      shaping,
    };
  }

  /** Once per tool: its own `continuation` argument wins, so its token budget is not applied. */
  private warnContinuationTaken(upstream: Upstream, tool: string): void {
    const key = `${upstream.name}/${tool}`;
    if (this.continuationTaken.has(key)) return;
    this.continuationTaken.add(key);
    this.log.warn(
      { upstream: upstream.name, tool },
      `tool "${tool}" of "${upstream.name}" has its own "continuation" argument; its shaping tokenBudget is not applied`,
    );
  }

  private claim(
    b: Built,
    map: Map<string, Routed<unknown>>,
    kind: Collision['kind'],
    key: string,
    upstream: Upstream,
  ): boolean {
    const owner = map.get(key);
    if (owner === undefined) return true;
    b.collisions.push({ kind, name: key, kept: owner.upstream.name, dropped: upstream.name });
    return false;
  }

  get collisions(): readonly Collision[] {
    return this.built.collisions;
  }

  /** Configured upstreams that are not serving right now. */
  get missing(): readonly MissingUpstream[] {
    return this.built.missing;
  }

  tools(): Routed<Tool>[] {
    return sorted(this.built.tools);
  }
  prompts(): Routed<Prompt>[] {
    return sorted(this.built.prompts);
  }
  resources(): Routed<Resource>[] {
    return sorted(this.built.resources);
  }
  templates(): Routed<ResourceTemplateType>[] {
    return sorted(this.built.templates);
  }

  tool(name: string): Routed<Tool> | undefined {
    return this.built.tools.get(this.built.aliases.tools.get(name) ?? name);
  }

  prompt(name: string): Routed<Prompt> | undefined {
    return this.built.prompts.get(this.built.aliases.prompts.get(name) ?? name);
  }

  template(uriTemplate: string): Routed<ResourceTemplateType> | undefined {
    return this.built.templates.get(uriTemplate);
  }

  /** The text of the first template that matches `uri`, if any. */
  templateFor(uri: string): string | undefined {
    for (const t of this.built.templates.values()) {
      if (t.matcher.match(uri) !== null) return t.item.uriTemplate;
    }
    return undefined;
  }

  /**
   * Upstreams still making their first connection that could own `name` (of a tool or prompt):
   * those without a prefix, and those whose prefix it starts with. Until they have settled, a
   * name the catalog does not know may still be theirs. Without `name` (a resource URI, which
   * carries no prefix), every upstream still making its first connection.
   */
  loading(name?: string): Upstream[] {
    return this.upstreams.filter(
      (u) =>
        !u.settledOnce &&
        (name === undefined ||
          u.model.namespace.prefix === '' ||
          name.startsWith(namespacedName(u.model.namespace, ''))),
    );
  }

  /** The configured upstream called `name`. */
  upstreamNamed(name: string): Upstream | undefined {
    return this.upstreams.find((u) => u.name === name);
  }

  /**
   * The upstream that owns a resource URI: a listed resource, else the first template that
   * matches, else — when exactly one upstream serves resources at all — that one.
   */
  resourceOwner(uri: string): Upstream | undefined {
    const listed = this.built.resources.get(uri);
    if (listed) return listed.upstream;
    for (const t of this.built.templates.values()) {
      if (t.matcher.match(uri) !== null) return t.upstream;
    }
    const serving = this.upstreams.filter((u) => u.state === 'ready' && u.capabilities.resources);
    return serving.length === 1 ? serving[0] : undefined;
  }
}

function exposedBy(b: Built, upstream: Upstream): Target[] {
  const targets: Target[] = [];
  for (const [name, r] of b.tools) if (r.upstream === upstream) targets.push({ kind: 'tool', name });
  for (const [name, r] of b.prompts) if (r.upstream === upstream) targets.push({ kind: 'prompt', name });
  for (const [uri, r] of b.resources)
    if (r.upstream === upstream) targets.push({ kind: 'resource', name: uri });
  for (const [t, r] of b.templates) if (r.upstream === upstream) targets.push({ kind: 'resource', name: t });
  return targets;
}

/** Catalog order: upstreams in configuration order, each upstream's items in its own order. */
function sorted<T>(map: Map<string, T>): T[] {
  return [...map.values()];
}
