/**
 * Runs a bench script (or any Node script) from the repository root under this Node, collecting
 * stdout and stderr together: how the benchmarks' smoke tests run them end to end.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root (the benchmarks' commands are written relative to it). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function runScript(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.stderr.on('data', (chunk) => {
      out += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}
