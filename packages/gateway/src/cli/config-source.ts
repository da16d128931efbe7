/**
 * Which configuration a command reads, found the way users expect: `--config <file>`, else
 * `$GATEHOUSE_CONFIG`, else `./gatehouse.yaml`, else the configuration of the demo running from
 * this directory or one above it. When the file is the one a running demo serves, it is read
 * with the environment the demo read it with (e.g. the sandbox's actual URL) and from the
 * demo's directory, so what the command shows is what the running gateway shows.
 */
import { existsSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { findRunningDemo, type RunningDemo } from './running-demo.ts';
import { CliUsageError } from './usage.ts';

export interface ConfigSource {
  /** Absolute path of the configuration. */
  file: string;
  /** How it was found. */
  how: 'flag' | 'env' | 'cwd' | 'demo';
  /** The environment to read it with. */
  env: Record<string, string | undefined>;
  /** The running demo that serves this file, if any. */
  demo?: RunningDemo;
}

const DEFAULT_FILE = 'gatehouse.yaml';

function samePath(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

function chosenFile(
  flag: string | undefined,
  env: Record<string, string | undefined>,
  cwd: string,
): { file: string; how: ConfigSource['how'] } | undefined {
  if (flag !== undefined) return { file: resolve(cwd, flag), how: 'flag' };
  const fromEnv = env.GATEHOUSE_CONFIG;
  if (fromEnv !== undefined && fromEnv !== '') return { file: resolve(cwd, fromEnv), how: 'env' };
  const local = resolve(cwd, DEFAULT_FILE);
  if (existsSync(local)) return { file: local, how: 'cwd' };
  return undefined;
}

/**
 * The configuration for a command. `useDemo`: whether a running demo's configuration may be
 * used when nothing else names one (not for `serve` and `stdio`, which would start a second
 * gateway on the demo's port).
 */
export function findConfig(
  flag: string | undefined,
  options: { useDemo: boolean; env?: Record<string, string | undefined>; cwd?: string },
): ConfigSource {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const chosen = chosenFile(flag, env, cwd);
  const demo = findRunningDemo(cwd);
  if (chosen !== undefined) {
    if (demo !== undefined && samePath(chosen.file, demo.config)) {
      return { ...chosen, env: { ...env, ...demo.env }, demo };
    }
    return { ...chosen, env };
  }
  if (options.useDemo && demo !== undefined) {
    return { file: demo.config, how: 'demo', env: { ...env, ...demo.env }, demo };
  }
  throw new CliUsageError(
    `no configuration: pass --config <file>, set GATEHOUSE_CONFIG, create ./${DEFAULT_FILE}${
      options.useDemo ? ', or start the demo (./scripts/start.sh)' : ''
    }`,
  );
}
