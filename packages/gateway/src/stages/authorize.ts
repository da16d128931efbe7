/**
 * authorize: the enforcement half of policy. For a request that targets one tool, prompt or
 * resource, it injects the server-controlled arguments, then asks decide() — the same function
 * that filters the lists — whether this call, with these arguments, may go ahead.
 */
import type { PolicyModel } from '../config/model-access.ts';
import { resourceNotFound, unknownPrompt, unknownTool } from '../errors/targets.ts';
import { wireError } from '../errors/wire.ts';
import type { Stage } from '../pipeline/compose.ts';
import type { AuthorizedRequest, RoutedRequest, RoutedTarget } from '../pipeline/context.ts';
import { resourceDecision } from '../policy/completion-filter.ts';
import { decide, type Target } from '../policy/decide.ts';
import { injectArguments, injectedArguments } from '../policy/inject.ts';
import { coerceIdArguments } from '../relay/caller-terms.ts';

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** The policy target of a routed request, or undefined for methods policy does not gate here. */
function policyTarget(req: RoutedRequest, target: RoutedTarget): Target | undefined {
  switch (req.method) {
    case 'tools/call':
      return { kind: 'tool', name: target.name };
    case 'prompts/get':
      return { kind: 'prompt', name: target.name };
    case 'resources/read':
    case 'resources/subscribe':
      return { kind: 'resource', name: target.name };
    default:
      return undefined;
  }
}

function hidden(req: RoutedRequest): Error {
  if (req.method === 'tools/call') return unknownTool(String(req.params.name ?? ''));
  if (req.method === 'prompts/get') return unknownPrompt(String(req.params.name ?? ''));
  return resourceNotFound(String(req.params.uri ?? ''));
}

export function authorize(policy: PolicyModel): Stage<RoutedRequest, AuthorizedRequest> {
  return async (req, next) => {
    const target = req.target === undefined ? undefined : policyTarget(req, req.target);
    if (target === undefined || req.target === undefined)
      return next(Object.assign(req, { decision: undefined, upstreamArguments: undefined }));
    const { principal } = req;
    let args = record(req.params.arguments);
    let upstreamArguments: Record<string, unknown> | undefined;
    if (req.method === 'tools/call') {
      // Arguments first take the types the tool declares (an integer id sent where a string is
      // declared), so policy conditions and the upstream see the same values.
      args = coerceIdArguments(
        args,
        (req.target.entry?.item as { inputSchema?: unknown } | undefined)?.inputSchema,
      );
      const injected = injectedArguments(req.target.upstream.model.inject, req.target.original);
      args = injectArguments(args, injected, principal);
      upstreamArguments = args;
    }
    // A resource may be allowed through the template that matches it (route checked visibility).
    const decision =
      target.kind === 'resource'
        ? resourceDecision(policy, principal.roles, target.name, req.target.template)
        : decide(policy, principal.roles, target, args);
    req.trail.decision = decision;
    if (decision.effect === 'deny') {
      if (!decision.visible) throw hidden(req);
      throw wireError('PolicyDenied', `Not permitted: ${decision.reason} [${decision.rule ?? 'default'}]`);
    }
    // A decision that needs approval goes on to the approve stage, which holds the call.
    return next(Object.assign(req, { decision, upstreamArguments }));
  };
}
