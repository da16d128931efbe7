/**
 * The files `upstreams[].tls` names, read when a configuration is loaded (at start, by `check`,
 * and on every reload): each must be readable and be what its field says — `ca` and `cert` a PEM
 * certificate, `key` a PEM private key that belongs to `cert` — or the configuration is refused
 * with the path of the file. What was read is recorded as a digest (`filesSha256`), so that a
 * reload after a certificate rotation reconnects the upstream; the upstream reads the files again
 * when it connects (upstream/tls-fetch.ts).
 */
import { createHash, createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { GatewayModel } from './model.ts';
import type { UpstreamTlsModel } from './model-upstreams.ts';

export interface TlsFileIssue {
  code: 'CONFIG_TLS_FILE';
  /** The upstream's index in the file and the field (`ca`, `cert`, `key`). */
  path: (string | number)[];
  message: string;
}

type Field = 'ca' | 'cert' | 'key';

class TlsFileError extends Error {
  readonly field: Field;
  constructor(field: Field, message: string) {
    super(message);
    this.field = field;
  }
}

function read(field: Field, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (code ?? String(error));
    throw new TlsFileError(field, `cannot read ${path} (${why})`);
  }
}

function certificate(field: Field, path: string, pem: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch {
    throw new TlsFileError(field, `${path} is not a PEM certificate`);
  }
}

function privateKey(path: string, pem: string): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch {
    throw new TlsFileError('key', `${path} is not a PEM private key`);
  }
}

/** Reads and checks one upstream's files; returns the digest of what was read. */
export function checkTlsFiles(tls: UpstreamTlsModel): string {
  const digest = createHash('sha256');
  const ca = read('ca', tls.caFile);
  certificate('ca', tls.caFile, ca);
  digest.update(ca);
  if (tls.certFile !== null && tls.keyFile !== null) {
    const cert = read('cert', tls.certFile);
    const key = read('key', tls.keyFile);
    const parsed = certificate('cert', tls.certFile, cert);
    if (!parsed.checkPrivateKey(privateKey(tls.keyFile, key)))
      throw new TlsFileError(
        'key',
        `${tls.keyFile} is not the private key of the certificate in ${tls.certFile}`,
      );
    digest.update('\0').update(cert).update('\0').update(key);
  }
  return digest.digest('hex');
}

/** Whether an upstream entry as written is enabled (see normalize-upstreams.ts). */
function enabledInFile(entry: unknown): boolean {
  const value = (entry as { enabled?: unknown } | null)?.enabled;
  return value === undefined || value === true || value === 'true';
}

/**
 * Reads every upstream's TLS files, filling in `filesSha256`; the problems, with paths in the
 * file as written (`data`: the interpolated document, for the upstreams' indices).
 */
export function loadUpstreamTls(model: GatewayModel, data: unknown): TlsFileIssue[] {
  const written = (data as { upstreams?: unknown } | null)?.upstreams;
  const entries = Array.isArray(written) ? written : [];
  const issues: TlsFileIssue[] = [];
  for (const upstream of model.upstreams) {
    if (upstream.transport !== 'http' || upstream.tls === null) continue;
    try {
      upstream.tls.filesSha256 = checkTlsFiles(upstream.tls);
    } catch (error) {
      if (!(error instanceof TlsFileError)) throw error;
      const index = entries.findIndex(
        (e) => (e as { name?: unknown } | null)?.name === upstream.name && enabledInFile(e),
      );
      issues.push({
        code: 'CONFIG_TLS_FILE',
        path: ['upstreams', index === -1 ? 0 : index, 'tls', error.field],
        message: `upstream "${upstream.name}": ${error.message}`,
      });
    }
  }
  return issues;
}
