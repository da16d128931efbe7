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

  it('reports collisions among list items after one the schema refused, at their paths in the file', () => {
    const issues = issuesOf(
      [
        'upstreams:',
        '  - { name: a, transport: http }', // 2: no url
        '  - { name: b, transport: http, url: "http://127.0.0.1:1/mcp" }',
        '  - { name: b, transport: http, url: "http://127.0.0.1:2/mcp", timeoutMs: -1 }', // 4
        '',
      ].join('\n'),
    );
    assert.deepEqual(
      issues.map((i) => [i.line, i.path, i.code]),
      [
        [2, 'upstreams[0].url', 'CONFIG_INVALID'],
        [4, 'upstreams[2].timeoutMs', 'CONFIG_INVALID'],
        [4, 'upstreams[2].name', 'CONFIG_COLLISION'],
        [4, 'upstreams[2].prefix', 'CONFIG_COLLISION'],
      ],
    );
    const name = issues.find((i) => i.path === 'upstreams[2].name');
    assert.equal(name?.message, 'duplicate upstream name "b" (also upstreams[1])');
  });

  it("reports a rule's approval wait out of range and an unknown approval key", () => {
    const issues = issuesOf(
      'policy:\n  groups:\n    g:\n      allow:\n        - tools: [a]\n          approval: { waitSeconds: 601, timeout: 5 }\n',
    );
    assert.ok(
      issues.some((i) => i.path === 'policy.groups.g.allow[0].approval.waitSeconds' && i.found === '601'),
      JSON.stringify(issues),
    );
    assert.ok(
      issues.some(
        (i) =>
          i.path === 'policy.groups.g.allow[0].approval.timeout' && /unknown key "timeout"/.test(i.message),
      ),
      JSON.stringify(issues),
    );
    const [mode] = issuesOf(
      'policy:\n  groups:\n    g:\n      allow:\n        - tools: [a]\n          approval: { mode: sometimes }\n',
    );
    assert.match(
      mode?.message ?? '',
      /expected true, false, "in-band", "queue", or \{mode: auto\|in-band\|queue/,
    );
  });

  it('reports an unknown transport and an unknown key', () => {
    const issues = issuesOf('upstreams:\n  - name: a\n    transport: carrier-pigeon\nsurprise: true\n');
    assert.ok(issues.some((i) => i.path === 'upstreams[0].transport' && i.found === '"carrier-pigeon"'));
    // An unknown key is reported at the key itself, on its own line.
    assert.ok(
      issues.some((i) => i.path === 'surprise' && i.message === 'unknown key "surprise"' && i.line === 4),
      JSON.stringify(issues),
    );
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

  it('${VAR:+word} gives word when VAR is set and empty otherwise; enabled toggles upstreams by it', () => {
    const yaml = `upstreams:
  - { name: u, enabled: "\${USE_HTTP:+true}", transport: http, url: "\${U_URL:-http://127.0.0.1:9/x}" }
  - { name: u, enabled: "\${USE_STDIO:+true}", transport: stdio, command: node }
  - { name: off, enabled: false, transport: stdio, command: node }
`;
    const http = loadConfigText(yaml, 'x.yaml', { USE_HTTP: '1', U_URL: 'http://127.0.0.1:7/mcp' });
    assert.ok(http.ok);
    assert.deepEqual(
      http.model.upstreams.map((u) => [u.name, u.transport]),
      [['u', 'http']],
    );
    const stdio = loadConfigText(yaml, 'x.yaml', { USE_STDIO: 'yes' });
    assert.ok(
      stdio.ok && stdio.model.upstreams.length === 1 && stdio.model.upstreams[0]?.transport === 'stdio',
    );
    const none = loadConfigText(yaml, 'x.yaml', {});
    assert.ok(none.ok && none.model.upstreams.length === 0);
    const both = loadConfigText(yaml, 'x.yaml', { USE_HTTP: '1', USE_STDIO: '1' });
    assert.ok(!both.ok && both.issues.some((i) => /duplicate upstream name "u"/.test(i.message)));
    const bad = issuesOf('upstreams:\n  - { name: a, enabled: maybe, transport: stdio, command: x }\n');
    assert.ok(bad.some((i) => i.path === 'upstreams[0].enabled'));
  });

  it('static keys keep only their SHA-256 and refuse short secrets', () => {
    const ok = loadConfigText(
      'auth:\n  staticKeys:\n    - { key: "${K}", user: bot, roles: [a] }\n',
      'x.yaml',
      { K: 'k'.repeat(40) },
    );
    assert.ok(ok.ok);
    assert.equal(JSON.stringify(ok.model).includes('k'.repeat(40)), false);
    assert.match(ok.model.auth.staticKeys[0]?.sha256 ?? '', /^[0-9a-f]{64}$/);
    const short = issuesOf('auth:\n  staticKeys:\n    - { key: gh-bench-short, user: bot }\n');
    const issue = short.find((i) => i.path === 'auth.staticKeys[0].key');
    assert.ok(issue);
    // The error says what is wrong with the secret without repeating it (issue 15).
    assert.equal(formatIssue(issue).includes('gh-bench-short'), false, formatIssue(issue));
    assert.match(formatIssue(issue), /a string of 14 characters \(not shown: a secret\)/);
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

  it('toolSearch names only roles the policy defines, and bounds its limit', () => {
    const issues = issuesOf(
      [
        'policy:',
        '  groups: { g: { allow: [{ tools: ["*"] }] } }',
        '  roles: { sales: { groups: [g] } }',
        'toolSearch:',
        '  roles:',
        '    sales: { core: ["crm_*"], limit: 51 }',
        '    salse: { core: ["crm_*"] }',
        '',
      ].join('\n'),
    );
    assert.deepEqual(
      issues.map((i) => [i.line, i.path, i.code]),
      [
        [6, 'toolSearch.roles.sales.limit', 'CONFIG_INVALID'],
        [7, 'toolSearch.roles.salse', 'CONFIG_REFERENCE'],
      ],
    );
    assert.equal(issues[1]?.message, 'unknown role "salse" (policy.roles defines: sales)');
  });

  it('reports a missing file', () => {
    const loaded = loadConfigFile('/nonexistent/gatehouse.yaml');
    assert.ok(!loaded.ok && loaded.issues[0]?.code === 'CONFIG_NOT_FOUND');
  });
});
