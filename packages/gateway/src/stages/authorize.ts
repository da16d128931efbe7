/**
 * authorize: the enforcement half of policy. For a request that targets one tool, prompt or
 * resource, it injects the server-controlled arguments, then asks decide() — the same function
 * that filters the lists — whether this call, with these arguments, may go ahead.
 */
import type { Principal } from '../auth/principal.ts';
import type { PolicyModel } from '../config/model-access.ts';
import { wireError } from '../errors/wire.ts';
import type { Middleware } from '../pipeline/compose.ts';
import type { GatewayRequest } from '../pipeline/context.ts';
import { resourceDecision } from '../policy/completion-filter.ts';
import { decide, type Target } from '../policy/decide.ts';
import { injectArguments, injectedArguments } from '../policy/inject.ts';
import { resourceNotFound, unknownPrompt, unknownTool } from './route.ts';

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** The policy target of a routed request, or undefined for methods policy does not gate here. */
function targetOf(req: GatewayRequest): Target | undefined {
  const exposed = req.target?.entry?.item as { name?: string } | undefined;
  switch (req.method) {
    case 'tools/call':
      return { kind: 'tool', name: exposed?.name ?? '' };
    case 'prompts/get':
      return { kind: 'prompt', name: exposed?.name ?? '' };
    case 'resources/read':
    case 'resources/subscribe':
      return { kind: 'resource', name: String(req.params.uri ?? '') };
    default:
      return undefined;
  }
}

function hidden(req: GatewayRequest): Error {
  if (req.method === 'tools/call') return unknownTool(String(req.params.name ?? ''));
  if (req.method === 'prompts/get') return unknownPrompt(String(req.params.name ?? ''));
  return resourceNotFound(String(req.params.uri ?? ''));
}

export function authorize(policy: PolicyModel): Middleware<GatewayRequest> {
  return async (req, next) => {
    const target = targetOf(req);
    if (target === undefined || req.target === undefined) return next();
    const principal = req.principal as Principal;
    let args = record(req.params.arguments);
    if (req.method === 'tools/call') {
      const injected = injectedArguments(req.target.upstream.model.inject, req.target.original);
      args = injectArguments(args, injected, principal);
      req.upstreamArguments = args;
    }
    // A resource may be allowed through the template that matches it (route checked visibility).
    const decision =
      target.kind === 'resource'
        ? resourceDecision(policy, principal.roles, target.name, req.target.template)
        : decide(policy, principal.roles, target, args);
    req.decision = decision;
    if (decision.effect === 'deny') {
      if (!decision.visible) throw hidden(req);
      throw wireError('PolicyDenied', `Not permitted: ${decision.reason} [${decision.rule ?? 'default'}]`);
    }
    // A decision that needs approval goes on to the approve stage, which holds the call.
    await next();
  };
}
