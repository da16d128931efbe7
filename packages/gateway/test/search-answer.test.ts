/** search_tools' answer (src/meta-tools/search-answer.ts): the tools found, as the caller's era lists them. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { searchAnswer } from '../src/meta-tools/search-answer.ts';

describe("search_tools' answer", () => {
  const tool = {
    name: 'fs_read',
    description: 'Read a file',
    inputSchema: { type: 'object' as const, properties: { path: { type: 'string' } } },
    execution: { taskSupport: 'forbidden' as const },
  };

  it('shows each tool as a list of its era would: 2026-07-28 lists carry no execution', () => {
    const modern = searchAnswer([tool], 'modern');
    const legacy = searchAnswer([tool], 'legacy');
    const { execution: _, ...withoutExecution } = tool;
    assert.deepEqual(modern.structuredContent, { tools: [withoutExecution] });
    assert.deepEqual(legacy.structuredContent, { tools: [tool] });
    assert.deepEqual(modern.content, [{ type: 'text', text: JSON.stringify({ tools: [withoutExecution] }) }]);
  });
});
