/**
 * The API-key store's behaviour, the same on both stores: the embedded SQLite database and the
 * shared PostgreSQL replicas use. "Two replicas" are two stores on one database: a key made on
 * one works on the other, and a key revoked on one is refused by the other within the key
 * cache's time (a small cacheMs here; 5 s in a gateway).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { dropPgSchemas } from './helpers/pg-schema.ts';
import { STORE_BACKENDS } from './helpers/store-backends.ts';

after(dropPgSchemas);

const CACHE_MS = 300;

for (const backend of STORE_BACKENDS) {
  describe(`API keys on ${backend.name}`, () => {
    it('creates, lists, verifies and revokes keys; the secret is shown once and checked exactly', async () => {
      const { a: store, close } = await backend.keys({ cacheMs: 0 });
      try {
        const made = await store.create({
          user: 'ana',
          org: 'acme',
          roles: ['sales'],
          description: 'laptop',
        });
        assert.match(made.key, /^ghk_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
        assert.deepEqual(
          { ...made.info, createdAt: '' },
          {
            id: made.info.id,
            user: 'ana',
            org: 'acme',
            roles: ['sales'],
            createdAt: '',
            revokedAt: null,
            description: 'laptop',
          },
        );
        const other = await store.create({ user: 'bo', roles: [] });
        assert.deepEqual(await store.verify(made.key), {
          id: `key:${made.info.id}`,
          user: 'ana',
          org: 'acme',
          roles: ['sales'],
          via: 'api-key',
          scopes: [],
        });
        const wrongSecret = `${made.key.slice(0, -1)}${made.key.endsWith('A') ? 'B' : 'A'}`;
        assert.equal(await store.verify(wrongSecret), undefined, 'a wrong secret');
        assert.equal(
          await store.verify(`ghk_${'x'.repeat(12)}_${'y'.repeat(43)}`),
          undefined,
          'an unknown id',
        );
        assert.equal(await store.verify('ghk_short'), undefined, 'not a key');
        assert.deepEqual((await store.list()).map((k) => k.user).toSorted(), ['ana', 'bo']);
        assert.equal(
          JSON.stringify(await store.list()).includes(made.key.slice(-43)),
          false,
          'no secret listed',
        );
        assert.equal(await store.revoke(made.info.id), true);
        assert.equal(await store.revoke(made.info.id), false, 'already revoked');
        assert.equal(await store.revoke('nosuchkey000'), false);
        assert.equal(await store.verify(made.key), undefined, 'revoked');
        assert.deepEqual(
          (await store.list()).map((k) => k.id),
          [other.info.id],
        );
        const all = await store.list({ includeRevoked: true });
        assert.equal(all.length, 2);
        assert.ok(all.find((k) => k.id === made.info.id)?.revokedAt);
      } finally {
        await close();
      }
    });

    it('a key made on one replica works on the other; revoked on one, the other refuses it within the cache time', async () => {
      const { a, b, close } = await backend.keys({ cacheMs: CACHE_MS });
      try {
        const made = await a.create({ user: 'ana', roles: ['sales'] });
        assert.equal((await b.verify(made.key))?.user, 'ana', 'b sees a key a made');
        assert.equal(await a.revoke(made.info.id), true);
        assert.equal(await a.verify(made.key), undefined, 'the replica that revoked refuses at once');
        const revokedAt = Date.now();
        let refusedAfter: number | undefined;
        while (Date.now() - revokedAt < 3 * CACHE_MS) {
          if ((await b.verify(made.key)) === undefined) {
            refusedAfter = Date.now() - revokedAt;
            break;
          }
          await sleep(20);
        }
        assert.ok(refusedAfter !== undefined, 'b still accepts the revoked key after three cache times');
        assert.ok(
          refusedAfter <= CACHE_MS + 100,
          `b refused after ${refusedAfter} ms (cache ${CACHE_MS} ms)`,
        );
      } finally {
        await close();
      }
    });
  });
}
