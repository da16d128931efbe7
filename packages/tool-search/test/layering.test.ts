/**
 * The tool index sits at the bottom: it imports only its libraries, node builtins and its own
 * files — nothing of the gateway or the host, which both build on it.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));
const LIBRARIES = ['minisearch', 'ai', '@ai-sdk/openai-compatible'];
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g;

function importsOf(file: string): string[] {
  return [...readFileSync(join(SRC, file), 'utf8').matchAll(IMPORT)].map((match) => match[1] ?? '');
}

describe('layering of packages/tool-search/src', () => {
  it('imports only its libraries, node builtins and its own files (./…)', () => {
    const files = readdirSync(SRC).filter((file) => file.endsWith('.ts'));
    assert.ok(files.includes('tool-index.ts'));
    const found = files.flatMap((file) =>
      importsOf(file)
        .filter((spec) => !(LIBRARIES.includes(spec) || spec.startsWith('node:') || spec.startsWith('./')))
        .map((spec) => `${file} imports ${spec}`),
    );
    assert.deepEqual(found, []);
  });
});
