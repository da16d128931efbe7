/**
 * Completion values are probes too: a suggested value that names a resource or prompt call the
 * caller may not use would reveal it. Each value is checked with the same decide() that enforces
 * the call it would lead to — the resource URI the value completes, or the prompt call with the
 * value as its argument — and dropped when that call would be refused.
 */
import { UriTemplate } from '@modelcontextprotocol/server';
import type { PolicyModel } from '../config/model-access.ts';
import { type Decision, decide } from './decide.ts';

/**
 * A resource URI is readable when policy allows the URI itself, or — when no rule names the URI
 * at all — when policy allows the template it belongs to. A rule that names the URI (a deny of
 * `crm://deals/secret-*`) is never overridden by an allowed template. The same answer for
 * resources/read and for completion values.
 */
export function resourceDecision(
  policy: PolicyModel,
  roles: readonly string[],
  uri: string,
  template: string | undefined,
): Decision {
  const decision = decide(policy, roles, { kind: 'resource', name: uri });
  if (decision.effect === 'allow' || decision.rule !== null || template === undefined) return decision;
  return decide(policy, roles, { kind: 'resource', name: template });
}

export interface CompletionRequest {
  ref: { type?: unknown; name?: unknown; uri?: unknown };
  argument: { name?: unknown; value?: unknown };
  context?: { arguments?: Record<string, unknown> } | undefined;
}

interface Completion {
  values: unknown[];
  total?: number;
  hasMore?: boolean;
}

function expanded(template: string, vars: Record<string, string>): string | undefined {
  try {
    const uri = new UriTemplate(template).expand(vars);
    return /[{}]/.test(uri) ? undefined : uri;
  } catch {
    return undefined;
  }
}

function stringVars(values: Record<string, unknown> | undefined): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const [key, value] of Object.entries(values ?? {})) if (typeof value === 'string') vars[key] = value;
  return vars;
}

/** The predicate a completion value must pass, or undefined when values need no check. */
function valueCheck(
  policy: PolicyModel,
  roles: readonly string[],
  request: CompletionRequest,
  exposedPrompt: string | undefined,
): ((value: string) => boolean) | undefined {
  const argument = String(request.argument.name ?? '');
  const context = request.context?.arguments ?? {};
  if (request.ref.type === 'ref/prompt' && exposedPrompt !== undefined) {
    return (value) =>
      decide(policy, roles, { kind: 'prompt', name: exposedPrompt }, { ...context, [argument]: value })
        .effect === 'allow';
  }
  if (request.ref.type === 'ref/resource' && typeof request.ref.uri === 'string') {
    const template = request.ref.uri;
    const vars = stringVars(context);
    return (value) => {
      const uri = expanded(template, { ...vars, [argument]: value });
      // A URI that cannot be fully built from what is known is judged by its template.
      if (uri === undefined) return resourceDecision(policy, roles, template, undefined).effect === 'allow';
      return resourceDecision(policy, roles, uri, template).effect === 'allow';
    };
  }
  return undefined;
}

/**
 * Filters an upstream's completion result for the caller. When values are dropped, `total`
 * (which counted them) is removed rather than left to tell how many were hidden.
 */
export function filterCompletion(
  policy: PolicyModel,
  roles: readonly string[],
  request: CompletionRequest,
  result: Record<string, unknown>,
  exposedPrompt?: string,
): Record<string, unknown> {
  const completion = result.completion as Completion | undefined;
  if (completion === undefined || !Array.isArray(completion.values)) return result;
  const check = valueCheck(policy, roles, request, exposedPrompt);
  if (check === undefined) return result;
  const values = completion.values.filter((v) => typeof v === 'string' && check(v));
  if (values.length === completion.values.length) return result;
  const { total: _, ...rest } = completion;
  return { ...result, completion: { ...rest, values } };
}
