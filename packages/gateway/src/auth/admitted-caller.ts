/**
 * The caller an HTTP request was admitted as, in the shape the MCP SDK passes through to request
 * handlers (`authInfo`). A class rather than a bag of extras: only in-process code constructs it
 * (after the credential was verified), the SDK hands the same object on untouched, and a handler
 * recognises it by its class — never by a key another layer might also set.
 */
import type { AuthInfo } from '@modelcontextprotocol/server';
import type { Principal } from './principal.ts';

export class AdmittedCaller implements AuthInfo {
  readonly token = '';
  readonly clientId: string;
  readonly scopes: string[];
  readonly principal: Principal;
  /** The peer address the request came from ("unknown" when the driver does not know it). */
  readonly source: string;

  constructor(principal: Principal, source = 'unknown') {
    this.principal = principal;
    this.source = source;
    this.clientId = principal.id;
    this.scopes = [...principal.scopes];
  }
}

/** The admitted caller behind an SDK `authInfo`, when admission made it. */
export function admittedCaller(authInfo: AuthInfo | undefined): AdmittedCaller | undefined {
  return authInfo instanceof AdmittedCaller ? authInfo : undefined;
}
