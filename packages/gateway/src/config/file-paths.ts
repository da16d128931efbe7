/** Paths in gatehouse.yaml are relative to the file's own directory. */
import { isAbsolute, resolve } from 'node:path';

export function resolveFrom(baseDir: string, path: string): string {
  return isAbsolute(path) ? path : resolve(baseDir, path);
}
