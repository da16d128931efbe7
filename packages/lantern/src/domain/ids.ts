/** Identifiers, secrets and times shared by the domain modules. */
import { createHash, randomBytes } from 'node:crypto';

/** `prefix_` and 16 random bytes (base64url): unguessable, and the prefix says what it names. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(16).toString('base64url')}`;
}

/** A secret shown once (an API token, a session cookie); only its hash is stored. */
export function newSecret(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The product's clock: ISO-8601 UTC text, as the database stores times. */
export type Clock = () => Date;

export function iso(date: Date): string {
  return date.toISOString();
}
