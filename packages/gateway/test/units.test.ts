/** Small pure pieces: the composer, cursors, name shortening, backoff, the error registry. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { exposeName, shortenName } from '../src/catalog/naming.ts';
import { decodeCursor, encodeCursor, paginate } from '../src/catalog/pagination.ts';
import { LocalErrors, WireErrors, wireErrorEntry } from '../src/errors/registry.ts';
import { wireError } from '../src/errors/wire.ts';
import { Assembly, pass, type Stage } from '../src/pipeline/compose.ts';
import { type Outcome, resultOutcome } from '../src/pipeline/outcome.ts';
import { backoffDelay } from '../src/upstream/backoff.ts';

describe('the pipeline assembly', () => {
  const done = async (): Promise<Outcome> => resultOutcome({ done: true });

  it('runs stages as an onion, then the terminal, and returns its outcome', async () => {
    const trace: string[] = [];
    const stage =
      (name: string): Stage<string[]> =>
      async (t, next) => {
        t.push(`${name}>`);
        const outcome = await next(t);
        t.push(`<${name}`);
        return outcome;
      };
    const outcome = await Assembly.from(stage('a'))
      .inside(stage('b'))
      .end(async (t) => {
        t.push('terminal');
        return done();
      })(trace);
    assert.deepEqual(trace, ['a>', 'b>', 'terminal', '<b', '<a']);
    assert.deepEqual(outcome, { kind: 'result', result: { done: true } });
  });

  it('hands each stage what the stage before it established', async () => {
    const addName: Stage<{ id: number }, { id: number; name: string }> = (req, next) =>
      next({ ...req, name: `n${req.id}` });
    const seen: string[] = [];
    await Assembly.from(addName).end(async (req) => {
      seen.push(req.name);
      return done();
    })({ id: 7 });
    assert.deepEqual(seen, ['n7']);
  });

  it('turns a thrown wire error into an error outcome the outer stages see', async () => {
    let outerSaw: Outcome | undefined;
    const outer: Stage<object> = async (req, next) => {
      outerSaw = await next(req);
      return outerSaw;
    };
    const outcome = await Assembly.from(outer).end(async () => {
      throw wireError('PolicyDenied', 'no');
    })({});
    assert.equal(outcome.kind, 'error');
    assert.equal(outerSaw?.kind === 'error' ? outerSaw.code : 0, WireErrors.PolicyDenied.code);
    assert.equal(outcome.kind === 'error' && outcome.unexpected, false);
  });

  it('marks an error without a code as unexpected', async () => {
    const outcome = await Assembly.from(pass<object>()).end(async () => {
      throw new Error('bug');
    })({});
    assert.equal(outcome.kind === 'error' && outcome.unexpected, true);
    assert.equal(outcome.kind === 'error' ? outcome.code : 0, WireErrors.InternalError.code);
  });

  it('fails when a stage calls next() twice', async () => {
    const twice: Stage<object> = async (req, next) => {
      await next(req);
      return next(req);
    };
    const outcome = await Assembly.from(twice).end(done)({});
    assert.equal(outcome.kind, 'error');
    assert.match(outcome.kind === 'error' ? String(outcome.error) : '', /next\(\) called more than once/);
  });

  it('lets a stage answer without calling next()', async () => {
    let reached = false;
    const outcome = await Assembly.from<object, object>(async () => resultOutcome({ early: true })).end(
      async () => {
        reached = true;
        return done();
      },
    )({});
    assert.equal(reached, false);
    assert.deepEqual(outcome, { kind: 'result', result: { early: true } });
  });
});

describe('pagination', () => {
  const items = Array.from({ length: 7 }, (_, i) => `item-${i}`);
  it('pages with opaque cursors until the end', () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = paginate(items, (x) => x, 3, cursor);
      seen.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    assert.deepEqual(seen, items);
  });
  it('keeps going after the last item served when the list changes elsewhere between pages', () => {
    const first = paginate(items, (x) => x, 3);
    const changed = ['item-0', 'item-1a', ...items.slice(1)];
    const second = paginate(changed, (x) => x, 3, first.nextCursor);
    assert.deepEqual(second.items, ['item-3', 'item-4', 'item-5']);
  });
  it('refuses a cursor whose item disappeared with -32602', () => {
    const first = paginate(items, (x) => x, 3);
    assert.throws(
      () =>
        paginate(
          items.filter((x) => x !== 'item-2'),
          (x) => x,
          3,
          first.nextCursor,
        ),
      (e: { code?: number }) => e.code === -32602,
    );
  });
  it('rejects a cursor it did not make with -32602', () => {
    assert.throws(
      () => decodeCursor('garbage'),
      (e: { code?: number }) => e.code === -32602,
    );
    assert.equal(decodeCursor(encodeCursor('x')), 'x');
  });
});

describe('name shortening', () => {
  it('leaves short names alone and namespaces them', () => {
    assert.deepEqual(exposeName({ prefix: 'gh', separator: '_' }, 'create_issue', 64), {
      exposed: 'gh_create_issue',
      full: 'gh_create_issue',
    });
    assert.equal(exposeName({ prefix: '', separator: '_' }, 'x', 64).exposed, 'x');
  });
  it('shortens long names deterministically, within the limit, without collisions', () => {
    const a = `${'very_long_tool_name_'.repeat(5)}alpha`;
    const b = `${'very_long_tool_name_'.repeat(5)}beta`;
    const sa = shortenName(a, 64);
    assert.equal(sa.length, 64);
    assert.equal(sa, shortenName(a, 64));
    assert.notEqual(sa, shortenName(b, 64));
    assert.match(sa, /^very_long_tool_name_.*_[0-9a-f]{8}$/);
  });
});

describe('backoff', () => {
  it('grows exponentially with jitter and is capped', () => {
    assert.equal(
      backoffDelay(0, 100, 1000, () => 0),
      50,
    );
    assert.equal(
      backoffDelay(3, 100, 1000, () => 1),
      800,
    );
    assert.equal(
      backoffDelay(20, 100, 1000, () => 1),
      1000,
    );
  });
});

describe('error registry', () => {
  it('documents every code in docs/errors.md', () => {
    const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
    for (const [name, { code }] of Object.entries(WireErrors)) {
      assert.ok(
        doc.includes(`\`${code}\``) && doc.includes(name),
        `wire error ${name} (${code}) is documented`,
      );
    }
    for (const code of Object.keys(LocalErrors))
      assert.ok(doc.includes(`\`${code}\``), `local error ${code} is documented`);
  });
  it('documents what each wire code means to the audit, metrics, the model and the breaker', () => {
    const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
    for (const [name, entry] of Object.entries(WireErrors)) {
      const row = doc.split('\n').find((line) => line.startsWith(`| ${name} `));
      assert.ok(row, `a table row for ${name}`);
      const cells = row.split('|').map((cell) => cell.trim());
      const yes = (flag: boolean) => (flag ? 'yes' : 'no');
      assert.deepEqual(
        cells.slice(2, 8),
        [
          `\`${entry.code}\``,
          entry.audit,
          entry.metric,
          yes(entry.modelActionable),
          yes(entry.upstreamFault),
          String(entry.httpStatus),
        ],
        name,
      );
    }
  });
  it("classifies codes it does not define as the caller's problem, not the upstream's", () => {
    assert.equal(wireErrorEntry(-32002), undefined);
    assert.equal(wireErrorEntry(WireErrors.InvalidParams.code)?.upstreamFault, false);
    assert.equal(wireErrorEntry(WireErrors.InputRequestExpired.code)?.upstreamFault, false);
    assert.equal(wireErrorEntry(WireErrors.ServerError.code)?.upstreamFault, true);
  });
  it('has unique wire codes', () => {
    const codes = Object.values(WireErrors).map((e) => e.code);
    assert.equal(new Set(codes).size, codes.length);
  });
});
