/**
 * HTTPS and mutual TLS for a kit server: the server's certificate and key, and optionally the
 * CA that a client's certificate must be signed by (then a client without such a certificate is
 * refused during the TLS handshake, before any HTTP). Read from PEM files named on the command
 * line (`--tls-cert`, `--tls-key`, `--tls-client-ca`), checked at start so that a wrong file
 * stops the process with its path named rather than failing the first handshake.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface ServerTls {
  /** The server's certificate chain (PEM). */
  cert: string;
  /** The server's private key (PEM). */
  key: string;
  /** When set, clients must present a certificate signed by this CA (PEM); no other CA counts. */
  clientCa?: string;
}

export interface ServerTlsFiles {
  cert?: string;
  key?: string;
  clientCa?: string;
}

function readPem(flag: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new Error(`${flag} ${path}: cannot read the file (${reason})`);
  }
}

function parseCertificate(flag: string, path: string, pem: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch {
    throw new Error(`${flag} ${path}: not a PEM certificate`);
  }
}

/**
 * The TLS settings the flags name, read and checked: undefined when none is given. Throws a
 * message naming the flag and the file when a file is missing, unreadable or not what it should
 * be, when the key does not belong to the certificate, or when the flags do not go together.
 */
export function readServerTls(files: ServerTlsFiles): ServerTls | undefined {
  if (files.cert === undefined && files.key === undefined) {
    if (files.clientCa !== undefined)
      throw new Error("--tls-client-ca needs --tls-cert and --tls-key (the server's own certificate)");
    return undefined;
  }
  if (files.cert === undefined || files.key === undefined)
    throw new Error('--tls-cert and --tls-key go together: give both, or neither');
  const cert = readPem('--tls-cert', files.cert);
  const key = readPem('--tls-key', files.key);
  const certificate = parseCertificate('--tls-cert', files.cert, cert);
  let privateKey: ReturnType<typeof createPrivateKey>;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    throw new Error(`--tls-key ${files.key}: not a PEM private key`);
  }
  if (!certificate.checkPrivateKey(privateKey))
    throw new Error(`--tls-key ${files.key}: not the key of the certificate in ${files.cert}`);
  if (files.clientCa === undefined) return { cert, key };
  const clientCa = readPem('--tls-client-ca', files.clientCa);
  parseCertificate('--tls-client-ca', files.clientCa, clientCa);
  return { cert, key, clientCa };
}
