/**
 * Private domain servers and mutual TLS, over real TLS on loopback with certificates made by
 * `gatehouse certs dev`: a kit server started with --tls-client-ca refuses a client without a
 * certificate and one whose certificate comes from another CA, and serves the gateway, which
 * presents its own; the gateway refuses a server certificate from another CA and one that does
 * not name the host it dialled (unless `tls.serverName` names what it carries), and says why in
 * /readyz and `gatehouse catalog`.
 */
import assert from 'node:assert/strict';
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { httpClient, type ServerProcess, spawnServerProcess } from '../../kit/src/testing.ts';
import { issueCertificate, loadDevAuthority } from '../src/certs/dev-certs.ts';
import { writeDevCertificates } from '../src/cli/certs.ts';
import { formatIssue, loadConfigFile } from '../src/config/load.ts';
import { describeError } from '../src/upstream/failure-reason.ts';
import {
  type ChildGateway,
  configDir,
  gatehouseCli,
  killLeftoverGateways,
  readyz,
  startChildGateway,
} from './helpers/child-gateway.ts';
import { OPEN_ACCESS_YAML, waitFor } from './helpers/harness.ts';

const GREETER = fileURLToPath(new URL('../../kit/test/fixtures/greeter-main.ts', import.meta.url));

interface HttpsAnswer {
  status?: number;
  error?: NodeJS.ErrnoException;
}

/** GET `url` over HTTPS trusting `ca`, presenting `cert`/`key` when given. */
function httpsGet(url: string, tls: { ca: string; cert?: string; key?: string }): Promise<HttpsAnswer> {
  return new Promise((resolve) => {
    const req = request(url, { ...tls, rejectUnauthorized: true }, (res) => {
      res.resume();
      res.once('end', () => resolve({ status: res.statusCode }));
    });
    req.once('error', (error) => resolve({ error }));
    req.end();
  });
}

const read = (path: string) => readFileSync(path, 'utf8');

describe('mutual TLS between the gateway and a kit server', () => {
  const dir = configDir();
  const good = join(dir.dir, 'certs');
  const other = join(dir.dir, 'other');
  const servers: ServerProcess[] = [];
  let certsRun: Awaited<ReturnType<typeof gatehouseCli>>;
  /** Each kit server's MCP URL: its certificate from our CA, from another CA, and for another name. */
  const url = { trusted: '', foreign: '', renamed: '' };

  function serveGreeter(cert: string, key: string): Promise<string> {
    const server = spawnServerProcess(GREETER, {
      env: { GREETER_WORD: 'hej' },
      name: 'greeter',
      args: [
        ...['--port', '0', '--health-port', '0'],
        ...['--tls-cert', cert, '--tls-key', key, '--tls-client-ca', join(good, 'ca.pem')],
      ],
    });
    servers.push(server);
    return server.url;
  }

  before(async () => {
    certsRun = await gatehouseCli([
      'certs',
      'dev',
      '--out',
      good,
      '--names',
      'gateway,greeter',
      '--days',
      '2',
    ]);
    assert.equal(certsRun.status, 0, certsRun.stderr);
    await writeDevCertificates({ out: other, names: ['greeter'], days: 2 });
    // From our CA, but naming only greeter.internal (not 127.0.0.1, which the gateway dials).
    const ours = await loadDevAuthority({
      cert: read(join(good, 'ca.pem')),
      key: read(join(good, 'ca-key.pem')),
    });
    const renamed = await issueCertificate(ours, {
      name: 'greeter.internal',
      hosts: ['greeter.internal'],
      days: 2,
    });
    writeFileSync(join(good, 'renamed.pem'), renamed.cert);
    writeFileSync(join(good, 'renamed-key.pem'), renamed.key, { mode: 0o600 });
    [url.trusted, url.foreign, url.renamed] = await Promise.all([
      serveGreeter(join(good, 'greeter.pem'), join(good, 'greeter-key.pem')),
      serveGreeter(join(other, 'greeter.pem'), join(other, 'greeter-key.pem')),
      serveGreeter(join(good, 'renamed.pem'), join(good, 'renamed-key.pem')),
    ]);
  });

  after(async () => {
    killLeftoverGateways();
    await Promise.all(servers.map((s) => s.stop()));
  });

  it('gatehouse certs dev writes the CA and a pair per name, keys 0600, and says what to do next', () => {
    for (const file of [
      'ca.pem',
      'ca-key.pem',
      'gateway.pem',
      'gateway-key.pem',
      'greeter.pem',
      'greeter-key.pem',
    ])
      assert.ok(statSync(join(good, file)).isFile(), file);
    for (const key of ['ca-key.pem', 'gateway-key.pem', 'greeter-key.pem'])
      assert.equal(statSync(join(good, key)).mode & 0o777, 0o600, key);
    assert.match(
      certsRun.stdout,
      /greeter\.pem, .*greeter-key\.pem {2}greeter: greeter, localhost, 127\.0\.0\.1, ::1/,
    );
    assert.match(
      certsRun.stdout,
      /--tls-cert \S+greeter\.pem --tls-key \S+greeter-key\.pem --tls-client-ca \S+ca\.pem/,
    );
    assert.match(
      certsRun.stdout,
      /tls: \{ ca: \S+ca\.pem, cert: \S+gateway\.pem, key: \S+gateway-key\.pem \}/,
    );
    // Written outside the working directory: every path printed is absolute, never `../…`, and
    // the YAML block's paths work wherever gatehouse.yaml is.
    assert.doesNotMatch(certsRun.stdout, /\.\.\//);
    assert.ok(
      certsRun.stdout.includes(`tls: { ca: ${join(good, 'ca.pem')}, cert: ${join(good, 'gateway.pem')}`),
    );
  });

  it('the kit server speaks HTTPS and refuses, at the handshake, a client without a certificate or with one from another CA', async () => {
    assert.match(url.trusted, /^https:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const healthz = url.trusted.replace('/mcp', '/healthz');
    const ca = read(join(good, 'ca.pem'));
    const none = await httpsGet(healthz, { ca });
    assert.equal(none.status, undefined, 'no HTTP answer without a client certificate');
    assert.match(String(none.error?.code), /CERTIFICATE_REQUIRED|ECONNRESET/);
    const foreign = await httpsGet(healthz, {
      ca,
      cert: read(join(other, 'greeter.pem')),
      key: read(join(other, 'greeter-key.pem')),
    });
    assert.equal(foreign.status, undefined, 'no HTTP answer with a certificate from another CA');
    assert.match(String(foreign.error?.code), /UNKNOWN_CA|ECONNRESET/);
    const gateway = await httpsGet(healthz, {
      ca,
      cert: read(join(good, 'gateway.pem')),
      key: read(join(good, 'gateway-key.pem')),
    });
    assert.equal(gateway.status, 200, String(gateway.error));
  });

  it('--health-port answers GET /healthz over plain HTTP for probes without a certificate, and nothing else', async () => {
    const stderr = servers[0]?.stderr() ?? '';
    const healthUrl = /greeter health \(plain HTTP\) on (http:\/\/\S+)/.exec(stderr)?.[1];
    assert.ok(healthUrl, stderr);
    const health = await fetch(healthUrl);
    assert.equal(health.status, 200);
    assert.equal(((await health.json()) as { status: string }).status, 'ok');
    const mcp = await fetch(healthUrl.replace('/healthz', '/mcp'), { method: 'POST', body: '{}' });
    assert.equal(mcp.status, 404);
    await mcp.body?.cancel();
  });

  describe('through the gateway', () => {
    let gw: ChildGateway;
    before(async () => {
      const tls = (extra = '') =>
        `tls: { ca: certs/ca.pem, cert: certs/gateway.pem, key: certs/gateway-key.pem${extra} }`;
      const upstream = (name: string, at: string, tlsLine: string) => `  - name: ${name}
    transport: http
    url: ${JSON.stringify(at)}
    protocol: legacy
    ${tlsLine}
`;
      dir.write(`upstreams:
${upstream('trusted', url.trusted, tls())}${upstream('foreign', url.foreign, tls())}${upstream('misnamed', url.renamed, tls())}${upstream('renamed', url.renamed, tls(', serverName: greeter.internal'))}${upstream('anonymous', url.trusted, 'tls: { ca: certs/ca.pem }')}storage: { path: ${JSON.stringify(dir.storage)} }
${OPEN_ACCESS_YAML}`);
      gw = await startChildGateway(dir.file);
    });
    after(() => gw?.stop());

    it('presents its certificate: a tools/call reaches the server and comes back', async () => {
      await waitFor(
        async () => (await readyz(gw.url)).body.upstreams.every((u) => u.state !== 'connecting'),
        20_000,
      );
      const client = await httpClient(gw.url, 'modern');
      try {
        const result = await client.callTool({ name: 'trusted_greet', arguments: { name: 'Ana' } });
        assert.deepEqual(result.structuredContent, { greeting: 'hej Ana' });
        const renamed = await client.callTool({ name: 'renamed_greet', arguments: { name: 'Bo' } });
        assert.deepEqual(renamed.structuredContent, { greeting: 'hej Bo' });
      } finally {
        await client.close();
      }
    });

    it('refuses a server certificate from another CA, one for another name, and reports why', async () => {
      const { body } = await readyz(gw.url);
      const byName = new Map(
        (body.upstreams as unknown as { name: string; state: string; error: string | null }[]).map((u) => [
          u.name,
          u,
        ]),
      );
      assert.equal(byName.get('trusted')?.state, 'ready');
      assert.equal(byName.get('renamed')?.state, 'ready');
      for (const name of ['foreign', 'misnamed', 'anonymous'])
        assert.notEqual(byName.get(name)?.state, 'ready', name);
      assert.equal(
        byName.get('foreign')?.error,
        "fetch failed: the server's certificate was not trusted: it is not signed by the CA in upstreams[].tls.ca (or, without tls, by a CA the system trusts) (UNABLE_TO_VERIFY_LEAF_SIGNATURE)",
      );
      assert.equal(
        byName.get('misnamed')?.error,
        "fetch failed: the server's certificate does not name the host in the upstream's url; set upstreams[].tls.serverName to a name it carries (ERR_TLS_CERT_ALTNAME_INVALID)",
      );
      assert.equal(
        byName.get('anonymous')?.error,
        'fetch failed: the server refused the gateway: it requires a client certificate (set upstreams[].tls.cert and key) (ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED)',
      );
      const catalog = await gatehouseCli(['catalog', '--roles', 'everyone', '--config', dir.file]);
      assert.match(catalog.stdout, /foreign: fetch failed: the server's certificate was not trusted/);
    });
  });

  it('a client certificate from another CA is refused by the server; the next connection, and a reload after a rotation, use the new files', async () => {
    const rotating = configDir();
    const at = (name: string) => join(rotating.dir, name);
    writeFileSync(at('ca.pem'), read(join(good, 'ca.pem')));
    writeFileSync(at('client.pem'), read(join(other, 'greeter.pem')));
    writeFileSync(at('client-key.pem'), read(join(other, 'greeter-key.pem')), { mode: 0o600 });
    rotating.write(`upstreams:
  - name: rotating
    transport: http
    url: ${JSON.stringify(url.trusted)}
    protocol: legacy
    tls: { ca: ca.pem, cert: client.pem, key: client-key.pem }
storage: { path: ${JSON.stringify(rotating.storage)} }
${OPEN_ACCESS_YAML}`);
    const gw = await startChildGateway(rotating.file, 30_000, ['--no-watch']);
    try {
      const upstream = async () =>
        ((await readyz(gw.url)).body.upstreams as unknown as { state: string; error: string | null }[])[0];
      await waitFor(async () => (await upstream())?.error !== null, 20_000);
      assert.equal(
        (await upstream())?.error,
        'fetch failed: the server closed the connection before answering; with mutual TLS that is how a server refuses a client certificate it does not trust (is upstreams[].tls.cert signed by the CA the server trusts?)',
      );
      // Each connection attempt reads the files afresh: the next retry presents the new certificate.
      writeFileSync(at('client.pem'), read(join(good, 'gateway.pem')));
      writeFileSync(at('client-key.pem'), read(join(good, 'gateway-key.pem')));
      await waitFor(async () => (await upstream())?.state === 'ready', 20_000);
      // A running upstream keeps its connections; a reload after a rotation replaces them.
      const ours = await loadDevAuthority({
        cert: read(join(good, 'ca.pem')),
        key: read(join(good, 'ca-key.pem')),
      });
      const rotated = await issueCertificate(ours, { name: 'gateway', days: 2 });
      writeFileSync(at('client.pem'), rotated.cert);
      writeFileSync(at('client-key.pem'), rotated.key);
      gw.signal('SIGHUP');
      const applied = await gw.waitForLog(
        (line) => line.msg === 'config reload applied',
        20_000,
        'the reload',
      );
      assert.equal(applied.summary, 'kept 0, started 1, retired 1 upstream(s)');
      await waitFor(async () => (await upstream())?.state === 'ready', 20_000);
      const client = await httpClient(gw.url, 'legacy');
      try {
        const result = await client.callTool({ name: 'rotating_greet', arguments: { name: 'Cy' } });
        assert.deepEqual(result.structuredContent, { greeting: 'hej Cy' });
        // A reload that finds a TLS file gone is refused; the running upstream keeps serving.
        renameSync(at('client-key.pem'), at('client-key.pem.old'));
        gw.signal('SIGHUP');
        const refused = await gw.waitForLog(
          (line) => String(line.msg).startsWith('config reload refused'),
          20_000,
          'the refused reload',
        );
        assert.match(
          JSON.stringify(refused.issues),
          /upstreams\[0\]\.tls\.key: upstream \\"rotating\\": cannot read \S+client-key\.pem \(no such file\) \[CONFIG_TLS_FILE\]/,
        );
        const again = await client.callTool({ name: 'rotating_greet', arguments: { name: 'Di' } });
        assert.deepEqual(again.structuredContent, { greeting: 'hej Di' });
      } finally {
        await client.close();
      }
    } finally {
      await gw.stop();
    }
  });

  it('a configuration whose TLS file is missing or wrong is refused, naming the file', () => {
    const base = (tls: string, at = 'https://127.0.0.1:1/mcp') => {
      dir.write(`upstreams:
  - name: u
    transport: http
    url: ${at}
    ${tls}
storage: { path: ${JSON.stringify(dir.storage)} }
${OPEN_ACCESS_YAML}`);
      const loaded = loadConfigFile(dir.file);
      assert.equal(loaded.ok, false);
      return loaded.ok ? [] : loaded.issues.map(formatIssue);
    };
    const [missing] = base('tls: { ca: certs/nope.pem }');
    assert.match(
      String(missing),
      /gatehouse\.yaml:5:\d+: upstreams\[0\]\.tls\.ca: upstream "u": cannot read \S+\/certs\/nope\.pem \(no such file\) \[CONFIG_TLS_FILE\]/,
    );
    const [mismatch] = base('tls: { ca: certs/ca.pem, cert: certs/gateway.pem, key: certs/greeter-key.pem }');
    assert.match(
      String(mismatch),
      /upstreams\[0\]\.tls\.key: .*greeter-key\.pem is not the private key of the certificate in \S+gateway\.pem/,
    );
    const [notCert] = base('tls: { ca: certs/ca-key.pem }');
    assert.match(String(notCert), /upstreams\[0\]\.tls\.ca: .*ca-key\.pem is not a PEM certificate/);
    const [plain] = base('tls: { ca: certs/ca.pem }', 'http://127.0.0.1:1/mcp');
    assert.match(String(plain), /upstreams\[0\]\.tls: tls needs an https:\/\/ url/);
    const [half] = base('tls: { ca: certs/ca.pem, cert: certs/gateway.pem }');
    assert.match(String(half), /upstreams\[0\]\.tls: cert and key go together/);
  });
});

describe('TLS failures in words', () => {
  const failed = (code: string, message: string) =>
    new TypeError('fetch failed', { cause: Object.assign(new Error(message), { code }) });
  it('names the side that refused and what to change, with the code to look up', () => {
    assert.equal(
      describeError(
        failed('ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', 'C0:error:0A000418:SSL routines::tlsv1 alert unknown ca\n'),
      ),
      "fetch failed: the server refused the gateway's client certificate: it is not signed by a CA the server trusts (ERR_SSL_TLSV1_ALERT_UNKNOWN_CA)",
    );
    assert.equal(
      describeError(failed('CERT_HAS_EXPIRED', 'certificate has expired')),
      "fetch failed: the server's certificate has expired (CERT_HAS_EXPIRED)",
    );
    assert.equal(
      describeError(failed('SOME_OTHER_CODE', '  an OpenSSL line\n')),
      'fetch failed: an OpenSSL line',
      'other errors keep their own message, trimmed',
    );
  });
});
