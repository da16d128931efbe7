/**
 * Who an internal MCP call acts for. The service token (checked by the listener) says only that
 * the caller is part of Lantern's own deployment; the user on whose behalf a call is made travels
 * in each call's `_meta["dev.gatehouse/principal"]` (the kit's `HandlerContext.caller`).
 *
 * Only the principal's `id` is trusted: a user id is looked up in Lantern's own database, and the
 * role and org come from there — never from the `roles` or `org` the caller claims. The product's
 * own automation calls as `automation:<name>` with the org it acts in (`org`), and is held to what
 * an automation may do there (the responder role, its own org only). Anything else is refused.
 *
 * Every tool of every component runs through `internalTool`: it resolves the actor (via
 * `internal-mcp`, so the activity log says which door a change came through), checks the
 * component's permission, and turns the domain's errors into tool errors a model can act on.
 */
import { type Caller, defineTool, type HandlerContext, type ToolDefinition, ToolError } from '@gatehouse/kit';
import type * as z from 'zod';
import type { LanternCore } from '../core.ts';
import { isProductError, PRODUCT_ERRORS } from '../domain/errors.ts';
import { type Actor, type Permission, requirePermission } from '../domain/permissions.ts';

export const AUTOMATION_PREFIX = 'automation:';
const AUTOMATION_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

function refused(message: string): ToolError {
  return new ToolError('unauthenticated', message, { modelCanFix: false });
}

/** The actor a call's principal stands for, resolved from Lantern's database. */
export async function actorForCaller(core: LanternCore, caller: Caller | null): Promise<Actor> {
  if (caller === null) {
    throw refused(
      'Lantern\'s internal MCP server acts only on behalf of a user: this call names none. Send the user in _meta["dev.gatehouse/principal"] ({"id": "<Lantern user id>", …}).',
    );
  }
  if (caller.id.startsWith(AUTOMATION_PREFIX)) return automationActor(core, caller);
  const user = await core.accounts.userById(caller.id);
  if (user === undefined) throw refused(`no Lantern user has the id "${caller.id}"`);
  return { kind: 'user', user, via: 'internal-mcp' };
}

async function automationActor(core: LanternCore, caller: Caller): Promise<Actor> {
  const name = caller.id.slice(AUTOMATION_PREFIX.length);
  if (!AUTOMATION_NAME.test(name)) {
    throw refused(
      `"${caller.id}" is not an automation identity: use automation:<name> (lower-case letters, digits, - and _)`,
    );
  }
  if (caller.org === null) throw refused(`the automation ${caller.id} must name the org it acts in ("org")`);
  const org = await core.sql.one('SELECT id FROM orgs WHERE id = $1', [caller.org]);
  if (org === undefined) throw refused(`the automation ${caller.id} names an unknown org "${caller.org}"`);
  return { kind: 'automation', name, orgId: caller.org, via: 'internal-mcp' };
}

/** A domain error as a tool error (its kind is the code); anything else is logged and not shown. */
function toToolError(error: unknown, tool: string, core: LanternCore): unknown {
  if (error instanceof ToolError) return error;
  if (isProductError(error)) {
    return new ToolError(error.kind, error.message, { modelCanFix: PRODUCT_ERRORS[error.kind].modelCanFix });
  }
  if (error instanceof Error && error.name === 'AbortError') return error;
  core.logError(error);
  return new ToolError('internal', `${tool} could not finish; the error is in Lantern's log`, {
    modelCanFix: false,
  });
}

type ObjectSchema = z.ZodObject<z.ZodRawShape>;

export interface InternalToolSpec<I extends ObjectSchema, O extends ObjectSchema> {
  name: string;
  title: string;
  description: string;
  input: I;
  output: O;
  annotations?: ToolDefinition['annotations'];
  /** Checked before `run`; the domain checks its own rules again inside. */
  permission?: Permission;
  run(input: z.output<I>, actor: Actor, ctx: HandlerContext): Promise<z.input<O>>;
}

export function internalTool<I extends ObjectSchema, O extends ObjectSchema>(
  core: LanternCore,
  spec: InternalToolSpec<I, O>,
): ToolDefinition<I, O> {
  return defineTool({
    name: spec.name,
    title: spec.title,
    description: spec.description,
    input: spec.input,
    output: spec.output,
    ...(spec.annotations === undefined ? {} : { annotations: spec.annotations }),
    async handler(input, ctx) {
      try {
        const actor = await actorForCaller(core, ctx.caller);
        if (spec.permission !== undefined) requirePermission(actor, spec.permission);
        return await spec.run(input, actor, ctx);
      } catch (error) {
        const mapped = toToolError(error, spec.name, core);
        if (
          mapped instanceof ToolError &&
          (mapped.code === 'unauthenticated' || mapped.code === 'forbidden')
        ) {
          ctx.log.warn({ caller: ctx.caller?.id ?? null, code: mapped.code }, `${spec.name} refused`);
        }
        throw mapped;
      }
    },
  });
}
