/**
 * Watching the configuration file for changes, through symlinks. Editors and config maps replace
 * files by renaming, so directories are watched, not the file: the directory of the path given,
 * of each symlink it goes through, and of the real file behind them. Kubernetes mounts a
 * ConfigMap as `gatehouse.yaml -> ..data/gatehouse.yaml` with `..data -> ..2026_…` swapped on
 * each update; after every change the chain is resolved again and the watched directories follow
 * it.
 */
import { type FSWatcher, readlinkSync, realpathSync, watch } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { Logger } from '../observability/logger.ts';

/** Symlink hops followed at most (as the kernel's ELOOP limit). */
const MAX_HOPS = 40;
const SETTLE_MS = 200;

/** The paths `file` goes through: itself, each symlink's target in turn, and the real file. */
export function symlinkChain(file: string): string[] {
  const chain = [resolve(file)];
  let current = chain[0] as string;
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    let target: string;
    try {
      target = readlinkSync(current);
    } catch {
      break; // not a symlink (or gone)
    }
    current = resolve(dirname(current), target);
    chain.push(current);
  }
  try {
    const real = realpathSync(file);
    if (!chain.includes(real)) chain.push(real);
  } catch {
    // a dangling link: watch what there is; the next change resolves it again
  }
  return chain;
}

export interface ConfigWatch {
  close(): void;
}

/** Calls `onChange` once a burst of changes to `file` (or to anything it links through) settles. */
export function watchConfigFile(file: string, onChange: () => void, log: Logger): ConfigWatch {
  const watchers = new Map<string, FSWatcher>();
  let names = new Set<string>();
  let timer: NodeJS.Timeout | null = null;
  let closed = false;

  const relevant = (name: string | null) =>
    name === null || names.has(name) || name.startsWith('..') || names.has(basename(name));

  const settle = () => {
    timer = null;
    if (closed) return;
    follow();
    onChange();
  };

  const onEvent = (_event: string, name: string | Buffer | null) => {
    if (!relevant(name === null ? null : String(name))) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(settle, SETTLE_MS);
  };

  /** Watches the directories of the current chain; drops the ones it no longer goes through. */
  const follow = () => {
    const chain = symlinkChain(file);
    names = new Set(chain.map((p) => basename(p)));
    const dirs = new Set(chain.map((p) => dirname(p)));
    for (const [dir, watcher] of watchers) {
      if (dirs.has(dir)) continue;
      watcher.close();
      watchers.delete(dir);
    }
    for (const dir of dirs) {
      if (watchers.has(dir)) continue;
      try {
        const watcher = watch(dir, onEvent);
        // A watched directory that is removed (an old ConfigMap revision) ends its watcher.
        watcher.on('error', () => {
          watcher.close();
          watchers.delete(dir);
        });
        watcher.unref();
        watchers.set(dir, watcher);
      } catch (error) {
        log.warn({ err: String(error), dir, file }, 'cannot watch a directory of the config file');
      }
    }
  };

  follow();
  if (watchers.size === 0) log.warn({ file }, 'cannot watch the config file; reload with SIGHUP');
  return {
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}
