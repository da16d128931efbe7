/**
 * Configuration from the environment: defaults, embeddings, and every bad combination named.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BUNDLED_CORPUS, ConfigError, configFromEnv } from '../src/config.ts';

describe('configFromEnv', () => {
  test('defaults to the bundled corpus and .gatehouse/knowledge.db, without embeddings', () => {
    assert.deepEqual(configFromEnv({}), { docsDir: BUNDLED_CORPUS, dbPath: '.gatehouse/knowledge.db' });
    assert.deepEqual(configFromEnv({ KNOWLEDGE_DOCS_DIR: ' ', EMBEDDINGS_API_KEY: '' }), {
      docsDir: BUNDLED_CORPUS,
      dbPath: '.gatehouse/knowledge.db',
    });
  });

  test('reads the documents folder, index path and embedding provider', () => {
    assert.deepEqual(
      configFromEnv({
        KNOWLEDGE_DOCS_DIR: '/srv/docs',
        KNOWLEDGE_DB_PATH: '/var/lib/knowledge.db',
        EMBEDDINGS_BASE_URL: 'https://api.openai.com/v1',
        EMBEDDINGS_API_KEY: 'sk-1',
        EMBEDDINGS_MODEL: 'text-embedding-3-small',
      }),
      {
        docsDir: '/srv/docs',
        dbPath: '/var/lib/knowledge.db',
        embeddings: { baseUrl: 'https://api.openai.com/v1', apiKey: 'sk-1', model: 'text-embedding-3-small' },
      },
    );
  });

  test('bad combinations are refused with the variable named', () => {
    for (const [env, message] of [
      [{ EMBEDDINGS_BASE_URL: 'http://127.0.0.1:11434' }, /EMBEDDINGS_MODEL is required/],
      [{ EMBEDDINGS_MODEL: 'nomic-embed-text' }, /EMBEDDINGS_BASE_URL is not/],
      [
        { EMBEDDINGS_BASE_URL: 'ftp://x', EMBEDDINGS_MODEL: 'm' },
        /EMBEDDINGS_BASE_URL must be an http\(s\) URL/,
      ],
      [{ EMBEDDINGS_BASE_URL: 'not a url', EMBEDDINGS_MODEL: 'm' }, /EMBEDDINGS_BASE_URL/],
    ] as const) {
      assert.throws(
        () => configFromEnv(env),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError);
          assert.match(error.message, message);
          return true;
        },
      );
    }
  });
});
