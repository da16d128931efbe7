/**
 * What RESULTS.md says about the machine a run was measured on: CPU model and count (from
 * /proc/cpuinfo, falling back to os.cpus()), memory, kernel, load average, Node.js, and the
 * versions of the packages the figures depend on, each read from its installed package.json.
 */
import { existsSync, readFileSync } from 'node:fs';
import { arch, cpus, loadavg, release, totalmem, type } from 'node:os';
import { join } from 'node:path';
import type { MachineInfo } from './report.ts';

/** The MCP SDK packages, the peers measured against, and Gatehouse itself. */
export const KEY_PACKAGES = [
  '@modelcontextprotocol/server',
  '@modelcontextprotocol/client',
  '@modelcontextprotocol/node',
  '@modelcontextprotocol/core',
  '@modelcontextprotocol/sdk',
  'mcp-proxy',
  'supergateway',
  'gpt-tokenizer',
] as const;

/** Where a package may be installed, relative to the repository root (first found wins). */
const INSTALL_DIRS = ['node_modules', 'bench/node_modules', 'packages/gateway/node_modules'];

function cpuFromProc(): { model: string; count: number } | undefined {
  try {
    const text = readFileSync('/proc/cpuinfo', 'utf8');
    const models = [...text.matchAll(/^model name\s*:\s*(.+)$/gm)].map((m) => (m[1] ?? '').trim());
    const count = [...text.matchAll(/^processor\s*:/gm)].length;
    if (count === 0) return undefined;
    return { model: models[0] || 'unknown', count };
  } catch {
    return undefined;
  }
}

export function packageVersion(root: string, name: string): string | null {
  for (const dir of INSTALL_DIRS) {
    const file = join(root, dir, name, 'package.json');
    if (!existsSync(file)) continue;
    try {
      const version = (JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown }).version;
      if (typeof version === 'string') return version;
    } catch {
      // unreadable: try the next place
    }
  }
  return null;
}

function gatehouseVersion(root: string): string | null {
  try {
    const pkg = JSON.parse(readFileSync(join(root, 'packages/gateway/package.json'), 'utf8')) as {
      version?: unknown;
    };
    return typeof pkg.version === 'string' ? pkg.version : null;
  } catch {
    return null;
  }
}

/** The machine now; `loadStart` is the load average taken when the run began. */
export function machineInfo(root: string, loadStart: number[]): MachineInfo {
  const proc = cpuFromProc();
  const list = cpus();
  return {
    cpuModel: proc?.model ?? list[0]?.model.trim() ?? 'unknown',
    cpuCount: proc?.count ?? list.length,
    memoryBytes: totalmem(),
    kernel: `${type()} ${release()} (${arch()})`,
    loadStart,
    loadEnd: loadavg(),
    node: process.version,
    packages: [
      { name: 'gatehouse (packages/gateway)', version: gatehouseVersion(root) },
      ...KEY_PACKAGES.map((name) => ({ name, version: packageVersion(root, name) })),
    ],
  };
}
