/**
 * The declarations a domain server is made of. Each is plain data plus a typed handler: the
 * input and output schemas are zod, the handler receives the parsed input and a context, and
 * `defineServer` (server.ts) turns them into MCP registrations.
 */
import type { GetPromptResult, ReadResourceResult, ToolAnnotations } from '@modelcontextprotocol/server';
import type * as z from 'zod';
import type { Caller } from './caller.ts';
import type { Logger } from './logger.ts';

/** What every handler gets besides its input. */
export interface HandlerContext {
  /** The principal Gatehouse forwarded (or the configured local caller); null when none. */
  readonly caller: Caller | null;
  /** stderr JSON logger, bound to the tool and request. */
  readonly log: Logger;
  /** Aborted when the client cancels, the gateway's deadline passes or the server shuts down. */
  readonly signal: AbortSignal;
  /** Reports progress on the caller's progress token; a no-op when the caller gave none. */
  progress(progress: number, total?: number, message?: string): Promise<void>;
}

type ObjectSchema = z.ZodObject<z.ZodRawShape>;

// Handlers are declared with method syntax on purpose: their parameters are then compared
// bivariantly, so a list of differently-typed tools is still a `ToolDefinition[]`.

export interface ToolDefinition<
  I extends ObjectSchema = ObjectSchema,
  O extends ObjectSchema = ObjectSchema,
> {
  readonly kind: 'tool';
  readonly name: string;
  readonly title?: string;
  readonly description: string;
  readonly input: I;
  readonly output: O;
  readonly annotations?: ToolAnnotations;
  handler(input: z.output<I>, ctx: HandlerContext): Promise<z.input<O>>;
  /** Text shown beside `structuredContent`; defaults to the compact JSON of the output. */
  text?(output: z.output<O>): string;
}

export function defineTool<I extends ObjectSchema, O extends ObjectSchema>(
  tool: Omit<ToolDefinition<I, O>, 'kind'>,
): ToolDefinition<I, O> {
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(tool.name)) throw new Error(`invalid tool name: ${tool.name}`);
  return { kind: 'tool', ...tool };
}

export interface ResourceDefinition {
  readonly kind: 'resource';
  readonly name: string;
  readonly uri: string;
  readonly title?: string;
  readonly description?: string;
  readonly mimeType?: string;
  read(uri: URL, ctx: HandlerContext): Promise<ReadResourceResult>;
}

export function defineResource(resource: Omit<ResourceDefinition, 'kind'>): ResourceDefinition {
  return { kind: 'resource', ...resource };
}

export interface TemplateDefinition {
  readonly kind: 'template';
  readonly name: string;
  /** RFC 6570 URI template, e.g. `service://catalog/{service}`. */
  readonly uriTemplate: string;
  readonly title?: string;
  readonly description?: string;
  readonly mimeType?: string;
  /** Lists the concrete resources the template stands for (shown in `resources/list`). */
  list?(ctx: HandlerContext): Promise<{ uri: string; name: string; description?: string }[]>;
  /** Completes one template variable from a prefix. */
  readonly complete?: Record<string, (prefix: string) => Promise<string[]>>;
  read(uri: URL, variables: Record<string, string>, ctx: HandlerContext): Promise<ReadResourceResult>;
}

export function defineResourceTemplate(template: Omit<TemplateDefinition, 'kind'>): TemplateDefinition {
  return { kind: 'template', ...template };
}

export interface PromptDefinition<A extends ObjectSchema = ObjectSchema> {
  readonly kind: 'prompt';
  readonly name: string;
  readonly title?: string;
  readonly description: string;
  readonly args: A;
  render(args: z.output<A>, ctx: HandlerContext): Promise<GetPromptResult>;
}

export function definePrompt<A extends ObjectSchema>(
  prompt: Omit<PromptDefinition<A>, 'kind'>,
): PromptDefinition<A> {
  return { kind: 'prompt', ...prompt };
}

/** Builds the text of a prompt made of one user message. */
export function userPrompt(text: string, description?: string): GetPromptResult {
  return {
    ...(description === undefined ? {} : { description }),
    messages: [{ role: 'user', content: { type: 'text', text } }],
  };
}
