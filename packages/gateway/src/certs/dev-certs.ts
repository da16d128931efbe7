/**
 * A local certificate authority and certificates signed by it, for mutual TLS on a laptop or in
 * a test (`gatehouse certs dev`): ECDSA P-256 keys made with WebCrypto and X.509 certificates
 * built by @peculiar/x509 — no openssl binary. Each certificate names its subject (`name`) and,
 * by default, localhost, 127.0.0.1 and ::1, and serves both as a server and as a client
 * certificate, so one set covers the gateway (client) and every domain server (server).
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;
/** Names every certificate carries unless told otherwise: the host itself. */
export const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'] as const;

export interface PemPair {
  /** The certificate (PEM). */
  cert: string;
  /** Its private key (PKCS #8 PEM). */
  key: string;
}

export interface DevAuthority extends PemPair {
  readonly keys: CryptoKeyPair;
  readonly certificate: x509.X509Certificate;
}

function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f; // a positive INTEGER
  return bytes.toString('hex');
}

async function keyPem(key: CryptoKey): Promise<string> {
  const der = await crypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

function validity(days: number): { notBefore: Date; notAfter: Date } {
  // A minute in the past, so a clock slightly behind still accepts a certificate made just now.
  const notBefore = new Date(Date.now() - 60_000);
  return { notBefore, notAfter: new Date(notBefore.getTime() + days * DAY_MS) };
}

/** A new self-signed CA that may sign certificates (and no further CAs). */
export async function createDevAuthority(options: { days: number; name?: string }): Promise<DevAuthority> {
  const keys = await crypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: `CN=${options.name ?? 'Gatehouse development CA'}`,
    ...validity(options.days),
    keys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { keys, certificate, cert: certificate.toString('pem'), key: await keyPem(keys.privateKey) };
}

export interface LeafOptions {
  /** The certificate's subject (CN) and first DNS name. */
  name: string;
  /** The names it is valid for (DNS names and IP addresses); default: `name` and loopback. */
  hosts?: string[];
  days: number;
}

/** The names a certificate for `name` carries by default, and any extra ones, without repeats. */
export function defaultHosts(name: string, extra: string[] = []): string[] {
  return [...new Set([name, ...extra, ...LOOPBACK_NAMES])];
}

/** A certificate for `name`, signed by `authority`, usable by a server and by a client. */
export async function issueCertificate(authority: DevAuthority, options: LeafOptions): Promise<PemPair> {
  const keys = await crypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const hosts = options.hosts ?? defaultHosts(options.name);
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: `CN=${options.name}`,
    issuer: authority.certificate.subject,
    ...validity(options.days),
    publicKey: keys.publicKey,
    signingKey: authority.keys.privateKey,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([
        x509.ExtendedKeyUsage.serverAuth,
        x509.ExtendedKeyUsage.clientAuth,
      ]),
      new x509.SubjectAlternativeNameExtension(
        hosts.map((host): x509.JsonGeneralName => ({ type: isIP(host) === 0 ? 'dns' : 'ip', value: host })),
      ),
      await x509.AuthorityKeyIdentifierExtension.create(authority.certificate),
    ],
  });
  return { cert: certificate.toString('pem'), key: await keyPem(keys.privateKey) };
}

/** The CA kept in `ca.pem` and `ca-key.pem`, to sign more certificates with the same trust. */
export async function loadDevAuthority(pair: PemPair): Promise<DevAuthority> {
  const certificate = new x509.X509Certificate(pair.cert);
  const der = x509.PemConverter.decodeFirst(pair.key);
  const privateKey = await crypto.subtle.importKey('pkcs8', der, ALGORITHM, true, ['sign']);
  const publicKey = await certificate.publicKey.export(ALGORITHM, ['verify']);
  return { keys: { privateKey, publicKey }, certificate, cert: pair.cert, key: pair.key };
}
