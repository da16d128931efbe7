/**
 * Exposed names: an upstream's prefix and separator in front of the upstream's own name, then —
 * only when the result is longer than clients accept — a deterministic shortening that keeps a
 * readable head and appends a hash of the full name. The full name stays valid as an alias.
 */
import { createHash } from 'node:crypto';
import type { NamespaceModel } from '../config/model.ts';

const HASH_CHARS = 8;

export function namespacedName(ns: NamespaceModel, name: string): string {
  return ns.prefix === '' ? name : `${ns.prefix}${ns.separator}${name}`;
}

export function shortenName(full: string, maxLength: number): string {
  if (full.length <= maxLength) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, HASH_CHARS);
  return `${full.slice(0, maxLength - HASH_CHARS - 1)}_${hash}`;
}

export interface ExposedName {
  /** The name clients see. */
  exposed: string;
  /** The unshortened namespaced name, accepted as an alias when it differs. */
  full: string;
}

export function exposeName(ns: NamespaceModel, name: string, maxLength: number): ExposedName {
  const full = namespacedName(ns, name);
  return { exposed: shortenName(full, maxLength), full };
}
