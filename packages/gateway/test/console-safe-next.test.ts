/**
 * Where the console sends a browser after signing in (`?next=`): only to a console page, never to
 * another site or a path a browser would read as one (an open redirect).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { safeNext } from '../src/transport/console/sign-in-routes.ts';

describe('console sign-in: where ?next= may lead', () => {
  it('keeps a console page', () => {
    assert.equal(safeNext('/console/audit?who=alice'), '/console/audit?who=alice');
    assert.equal(safeNext('/console/approvals'), '/console/approvals');
  });

  it('sends anything else to the approvals page', () => {
    for (const next of [
      undefined,
      '',
      '/console',
      '/consolex/audit',
      '//evil.example/console/',
      'https://evil.example/console/audit',
      '/console/..\\..\\evil',
      '/console\\@evil.example',
      '/other/page',
    ])
      assert.equal(safeNext(next), '/console/approvals', String(next));
  });
});
