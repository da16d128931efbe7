/**
 * Prompts for the conformance scenarios, including the `input_required` prompt of the
 * 2026-07-28 alpha (SEP-2322 on a non-tool request).
 */
import {
  acceptedContent,
  completable,
  type GetPromptResult,
  type InputRequiredResult,
  inputRequired,
  type McpServer,
} from '@modelcontextprotocol/server';
import * as z from 'zod';
import { PNG_BASE64 } from './fixtures.ts';

type PromptResult = GetPromptResult | InputRequiredResult;

const ARG_SUGGESTIONS = ['hello', 'world', 'test', 'example'];

function suggest(prefix: string): string[] {
  return ARG_SUGGESTIONS.filter((value) => value.startsWith(prefix));
}

/** Registers the prompts. */
export function registerPrompts(server: McpServer): void {
  server.registerPrompt(
    'test_simple_prompt',
    { title: 'Simple prompt', description: 'A prompt without arguments' },
    async (): Promise<PromptResult> => ({
      messages: [{ role: 'user', content: { type: 'text', text: 'This is a simple prompt for testing.' } }],
    }),
  );

  server.registerPrompt(
    'test_prompt_with_arguments',
    {
      title: 'Prompt with arguments',
      description: 'A prompt with two required string arguments (both completable)',
      argsSchema: z.object({
        arg1: completable(z.string().describe('First test argument'), suggest),
        arg2: completable(z.string().describe('Second test argument'), suggest),
      }),
    },
    async ({ arg1, arg2 }): Promise<PromptResult> => ({
      messages: [
        {
          role: 'user',
          content: { type: 'text', text: `Prompt with arguments: arg1='${arg1}', arg2='${arg2}'` },
        },
      ],
    }),
  );

  server.registerPrompt(
    'test_prompt_with_embedded_resource',
    {
      title: 'Prompt with embedded resource',
      description: 'A prompt embedding the resource named by its argument',
      argsSchema: z.object({ resourceUri: z.string().describe('URI of the resource to embed') }),
    },
    async ({ resourceUri }): Promise<PromptResult> => ({
      messages: [
        {
          role: 'user',
          content: {
            type: 'resource',
            resource: {
              uri: resourceUri,
              mimeType: 'text/plain',
              text: 'Embedded resource content for testing.',
            },
          },
        },
        { role: 'user', content: { type: 'text', text: 'Please process the embedded resource above.' } },
      ],
    }),
  );

  server.registerPrompt(
    'test_prompt_with_image',
    { title: 'Prompt with image', description: 'A prompt carrying a PNG image' },
    async (): Promise<PromptResult> => ({
      messages: [
        { role: 'user', content: { type: 'image', data: PNG_BASE64, mimeType: 'image/png' } },
        { role: 'user', content: { type: 'text', text: 'Please analyze the image above.' } },
      ],
    }),
  );

  server.registerPrompt(
    'test_input_required_result_prompt',
    {
      title: 'Prompt needing input',
      description: 'MRTR: asks for context through elicitation before rendering',
    },
    async (ctx): Promise<PromptResult> => {
      const context = acceptedContent(
        ctx.mcpReq.inputResponses,
        'user_context',
        z.object({ context: z.string() }),
      );
      if (context === undefined) {
        return inputRequired({
          inputRequests: {
            user_context: inputRequired.elicit({
              message: 'What context should the prompt use?',
              requestedSchema: {
                type: 'object',
                properties: { context: { type: 'string' } },
                required: ['context'],
              },
            }),
          },
        });
      }
      return {
        messages: [
          { role: 'user', content: { type: 'text', text: `Answer using this context: ${context.context}` } },
        ],
      };
    },
  );
}
