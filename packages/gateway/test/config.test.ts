/** Config: golden files (yaml → normalized JSON) and an error for every way a config can be wrong. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { formatIssue, loadConfigFile, loadConfigText } from '../src/config/load.ts';

const GOLDEN = fileURLToPath(new URL('./golden/', import.meta.url));
const ENV = { GH_TEST_PORT: '9090' };

/** Paths inside the model are made relative to the golden folder so the files are portable. */
function portable(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value).replaceAll(GOLDEN, '<golden>/'));
}

describe('config golden files', () => {
  for (const file of readdirSync(GOLDEN).filter((f) => f.endsWith('.yaml'))) {
    it(`${file} normalizes to ${file.replace('.yaml', '.json')}`, () => {
      const loaded = loadConfigFile(`${GOLDEN}${file}`, ENV);
      assert.ok(loaded.ok, loaded.ok ? '' : loaded.issues.map(formatIssue).join('\n'));
      const actual = portable(loaded.model);
      const goldenPath = `${GOLDEN}${file.replace('.yaml', '.json')}`;
      if (process.env.UPDATE_GOLDEN) writeFileSync(goldenPath, `${JSON.stringify(actual, null, 2)}\n`);
      assert.deepEqual(actual, JSON.parse(readFileSync(goldenPath, 'utf8')));
    });
  }
});

function issuesOf(text: string, env: Record<string, string> = {}) {
  const loaded = loadConfigText(text, 'gatehouse.yaml', env);
  assert.equal(loaded.ok, false, 'expected the config to be rejected');
  return loaded.ok ? [] : loaded.issues;
}

describe('config errors name the file, the path, what was expected and what was found', () => {
  it('reports a wrong type with its line', () => {
    const [issue] = issuesOf('server:\n  port: 99999\n');
    assert.equal(issue?.code, 'CONFIG_INVALID');
    assert.equal(issue?.path, 'server.port');
    assert.equal(issue?.found, '99999');
    assert.equal(issue?.line, 2);
    assert.match(formatIssue(issue ?? ({} as never)), /^gatehouse\.yaml:2:\d+: server\.port: .*found 99999/);
  });

  it('reports a missing required field inside a list item', () => {
    const [issue] = issuesOf('upstreams:\n  - name: a\n    transport: stdio\n');
    assert.equal(issue?.path, 'upstreams[0].command');
    assert.equal(issue?.found, 'nothing');
    assert.equal(issue?.line, 2);
  });

  it('reports an unknown transport and an unknown key', () => {
    const issues = issuesOf('upstreams:\n  - name: a\n    transport: carrier-pigeon\nsurprise: true\n');
    assert.ok(issues.some((i) => i.path === 'upstreams[0].transport' && i.found === '"carrier-pigeon"'));
    assert.ok(issues.some((i) => i.path === '(root)' && /surprise/.test(i.message)));
  });

  it('reports an unset ${VAR} and accepts a default', () => {
    const [issue] = issuesOf('server:\n  host: ${NOPE_NOT_SET}\n');
    assert.equal(issue?.code, 'CONFIG_ENV_MISSING');
    assert.equal(issue?.path, 'server.host');
    assert.match(issue?.message ?? '', /NOPE_NOT_SET/);
    const ok = loadConfigText('server:\n  host: ${NOPE_NOT_SET:-127.0.0.2}\n  port: "${P}"\n', 'x.yaml', {
      P: '81',
    });
    assert.ok(ok.ok && ok.model.server.host === '127.0.0.2' && ok.model.server.port === 81);
    const literal = loadConfigText('server:\n  host: "$${NOT_INTERPOLATED}"\n', 'x.yaml', {});
    assert.ok(literal.ok && literal.model.server.host === '${NOT_INTERPOLATED}');
  });

  it('reports YAML syntax errors with a position', () => {
    const [issue] = issuesOf('server: [unclosed\n');
    assert.equal(issue?.code, 'CONFIG_SYNTAX');
    assert.ok((issue?.line ?? 0) >= 1);
  });

  it('reports namespace and name collisions between upstreams', () => {
    const stdio = (name: string, extra = '') =>
      `  - { name: ${name}, transport: stdio, command: x${extra} }\n`;
    const dupName = issuesOf(`upstreams:\n${stdio('a')}${stdio('a')}`);
    assert.ok(
      dupName.some((i) => i.code === 'CONFIG_COLLISION' && /duplicate upstream name "a"/.test(i.message)),
    );
    const dupPrefix = issuesOf(`upstreams:\n${stdio('a', ', prefix: p')}${stdio('b', ', prefix: p')}`);
    assert.ok(
      dupPrefix.some(
        (i) => i.path === 'upstreams[1].prefix' && /already used by upstreams\[0\]/.test(i.message),
      ),
    );
  });

  it('requires exactly one credential source', () => {
    const issues = issuesOf(
      'upstreams:\n  - { name: a, transport: http, url: "http://x/mcp", credential: { fromEnv: A, fromFile: b } }\n',
    );
    assert.ok(issues.some((i) => /exactly one of fromEnv or fromFile/.test(i.message)));
  });

  it('reports a missing file', () => {
    const loaded = loadConfigFile('/nonexistent/gatehouse.yaml');
    assert.ok(!loaded.ok && loaded.issues[0]?.code === 'CONFIG_NOT_FOUND');
  });
});
