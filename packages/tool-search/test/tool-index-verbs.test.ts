/**
 * The index's one hand-written vocabulary (src/action-verbs.ts): a question's action verb
 * brings in the verbs that name the same operation, below the question's own words.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { relatedActionVerbs } from '../src/action-verbs.ts';
import { buildToolIndex, type SearchableTool } from '../src/tool-index.ts';

const tool = (name: string, description: string): SearchableTool => ({
  name,
  description,
  inputSchema: { type: 'object', properties: { path: { type: 'string', description: 'The file' } } },
});

const FILES = [
  tool('files_delete_file', 'Delete a file from the workspace.'),
  tool('files_file_info', 'Size, owner and dates of a file.'),
  tool('files_write_file', 'Save text to a file, replacing it.'),
];

describe('action verbs', () => {
  it('finds a tool by a verb of the same operation that the tool does not use', () => {
    // Nothing in the catalog says "erase" or "remove": only the verb group links them to "delete".
    assert.deepEqual(
      buildToolIndex(FILES)
        .search('erase', 5)
        .map((hit) => hit.name),
      ['files_delete_file'],
    );
    assert.equal(buildToolIndex(FILES).search('remove the old draft file', 5)[0]?.name, 'files_delete_file');
    assert.equal(buildToolIndex(FILES).search('store this text in a file', 5)[0]?.name, 'files_write_file');
  });

  it("weighs a related verb below the question's own verb", () => {
    const index = buildToolIndex([
      tool('team_delete_member', 'Delete a member of the team.'),
      tool('team_remove_member', 'Remove a member from the team.'),
    ]);
    assert.deepEqual(
      index.search('remove a member', 5).map((hit) => hit.name),
      ['team_remove_member', 'team_delete_member'],
    );
    assert.deepEqual(
      index.search('delete a member', 5).map((hit) => hit.name),
      ['team_delete_member', 'team_remove_member'],
    );
  });

  it('brings in only verbs some tool uses, each once, none the question already has', () => {
    const indexed = new Set(['delete', 'erase', 'fetch', 'get']);
    const isIndexed = (term: string) => indexed.has(term);
    assert.deepEqual(relatedActionVerbs(['remove', 'erase', 'file'], isIndexed), ['delete']);
    assert.deepEqual(relatedActionVerbs(['retrieve', 'show', 'report'], isIndexed), ['get', 'fetch']);
    assert.deepEqual(relatedActionVerbs(['weather', 'paris'], isIndexed), []);
  });

  it('keeps the filter: a hidden tool is not found through a related verb either', () => {
    const index = buildToolIndex(FILES);
    const names = (filter: (name: string) => boolean) =>
      index.search('erase', 5, { filter }).map((hit) => hit.name);
    assert.deepEqual(
      names(() => true),
      ['files_delete_file'],
    );
    assert.deepEqual(
      names((name) => name !== 'files_delete_file'),
      [],
    );
  });
});
