/**
 * Summarizes a V8 CPU profile (`node --cpu-prof`): the functions with the most self time, and
 * self time per file group (the gateway's own sources, each node_modules package, Node
 * internals), so a benchmark's hot path can be read without opening DevTools.
 *
 *   node bench/lib/cpuprofile-top.ts FILE.cpuprofile [--top 25] [--callers NAME] [--skip N] [--depth 8]
 *
 * --callers NAME adds the call stacks (--depth frames, after skipping the --skip innermost ones)
 * through which NAME spent its self time.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  where: string;
  ms: number;
  share: number;
}

function shortUrl(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('/node_modules/');
  if (modules >= 0) return path.slice(modules + '/node_modules/'.length);
  const packages = path.indexOf('/packages/');
  if (packages >= 0) return path.slice(packages + 1);
  return path || '(native)';
}

/** The file group a frame belongs to: a package under node_modules, a workspace package, or Node. */
function group(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = path.slice(modules + '/node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? path);
  }
  const packages = /\/packages\/([^/]+)\/src\/([^/]+)/.exec(path);
  if (packages) return `${packages[1]}/${packages[2]}`;
  if (path.startsWith('node:')) return 'node internals';
  return path === '' ? '(native / GC / idle)' : path;
}

function frameText(node: ProfileNode): string {
  const f = node.callFrame;
  return `${f.functionName || '(anonymous)'}${f.url ? ` ${shortUrl(f.url)}:${f.lineNumber + 1}` : ''}`;
}

/** The stacks (innermost first, `depth` frames) through which `name` spent its self time. */
export function callers(profile: CpuProfile, name: string, depth = 8, skip = 0): SelfTime[] {
  const parent = new Map<number, ProfileNode>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const stacks = new Map<string, SelfTime>();
  let totalUs = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    totalUs += us;
    let node = byId.get(id);
    if (node?.callFrame.functionName !== name) return;
    const frames: string[] = [];
    for (let k = 0; node !== undefined && k < skip + depth; k++, node = parent.get(node.id)) {
      if (k >= skip) frames.push(frameText(node));
    }
    const key = frames.join('\n    ← ');
    const entry = stacks.get(key) ?? { name: key, where: '', ms: 0, share: 0 };
    entry.ms += us / 1000;
    stacks.set(key, entry);
  });
  return [...stacks.values()]
    .map((e) => ({ ...e, share: totalUs === 0 ? 0 : (e.ms * 1000) / totalUs }))
    .sort((a, b) => b.ms - a.ms);
}

/** Self time per function and per file group, largest first. */
export function summarize(profile: CpuProfile): {
  functions: SelfTime[];
  groups: SelfTime[];
  totalMs: number;
} {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const functions = new Map<string, SelfTime>();
  const groups = new Map<string, SelfTime>();
  const add = (map: Map<string, SelfTime>, key: string, name: string, where: string, us: number) => {
    const entry = map.get(key) ?? { name, where, ms: 0, share: 0 };
    entry.ms += us / 1000;
    map.set(key, entry);
  };
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (frame === undefined) continue;
    const name = frame.functionName || '(anonymous)';
    const where = frame.url ? `${shortUrl(frame.url)}:${frame.lineNumber + 1}` : '';
    add(functions, `${name}@${where}`, name, where, us);
    const g = frame.url ? group(frame.url) : name.startsWith('(') ? name : '(native)';
    add(groups, g, g, '', us);
  }
  const ranked = (map: Map<string, SelfTime>) =>
    [...map.values()]
      .map((e) => ({ ...e, share: totalUs === 0 ? 0 : (e.ms * 1000) / totalUs }))
      .sort((a, b) => b.ms - a.ms);
  return { functions: ranked(functions), groups: ranked(groups), totalMs: totalUs / 1000 };
}

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      top: { type: 'string', default: '25' },
      callers: { type: 'string' },
      depth: { type: 'string', default: '8' },
      skip: { type: 'string', default: '0' },
    },
  });
  const file = positionals[0];
  if (file === undefined)
    throw new Error('usage: node bench/lib/cpuprofile-top.ts FILE.cpuprofile [--top 25]');
  const top = Number(values.top);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const { functions, groups, totalMs } = summarize(profile);
  const line = (e: SelfTime) =>
    `${e.ms.toFixed(0).padStart(8)} ms ${(e.share * 100).toFixed(1).padStart(5)}%  ${e.name}${e.where ? `  ${e.where}` : ''}`;
  console.log(`${file}: ${totalMs.toFixed(0)} ms sampled\n\nTop self time by function:`);
  for (const e of functions.slice(0, top)) console.log(line(e));
  console.log('\nSelf time by package / source directory:');
  for (const e of groups.slice(0, top)) console.log(line(e));
  if (values.callers !== undefined) {
    console.log(`\nStacks through which ${values.callers} spent its self time:`);
    const stacks = callers(profile, values.callers, Number(values.depth), Number(values.skip));
    for (const e of stacks.slice(0, 8)) console.log(line(e));
  }
}

if (import.meta.main) main();
