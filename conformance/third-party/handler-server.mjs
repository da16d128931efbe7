/**
 * A 2026-07-28 MCP server built on a framework nobody in this project wrote: Vercel's
 * `mcp-handler` (on the MCP SDK v2), served over Node HTTP with the SDK's own `toNodeHandler`.
 * The protocol — era negotiation, server/discover, caching hints, header validation, 2025-era
 * fallback — is entirely theirs; this file only registers a few of the tools, resources and
 * prompts the conformance suite asks for, so its scenarios have something to call.
 *
 *   PORT=3300 node conformance/third-party/handler-server.mjs   # serves http://127.0.0.1:3300/mcp
 *
 * Plain JavaScript so the type-check does not depend on the packages scripts/conformance.ts
 * installs into conformance/third-party/node_modules at run time.
 */
import { createServer } from 'node:http';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler } from 'mcp-handler';
import { z } from 'zod';

const PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

const handler = createMcpHandler(
  (server) => {
    server.registerTool(
      'test_simple_text',
      { description: 'Returns a simple text response', inputSchema: z.object({}) },
      async () => ({ content: [{ type: 'text', text: 'This is a simple text response for testing.' }] }),
    );
    server.registerTool(
      'test_image_content',
      { description: 'Returns an image', inputSchema: z.object({}) },
      async () => ({ content: [{ type: 'image', data: PNG, mimeType: 'image/png' }] }),
    );
    server.registerTool(
      'test_error_handling',
      { description: 'Always fails', inputSchema: z.object({}) },
      async () => ({
        content: [{ type: 'text', text: 'This tool intentionally returns an error for testing' }],
        isError: true,
      }),
    );
    server.registerResource(
      'static-text',
      'test://static-text',
      { description: 'A static text resource', mimeType: 'text/plain' },
      async (uri) => ({
        contents: [
          { uri: uri.href, mimeType: 'text/plain', text: 'This is the content of the static text resource.' },
        ],
      }),
    );
    server.registerPrompt('test_simple_prompt', { description: 'A simple prompt' }, async () => ({
      messages: [{ role: 'user', content: { type: 'text', text: 'This is a simple prompt for testing.' } }],
    }));
  },
  { serverInfo: { name: 'mcp-handler-conformance', version: '1.0.0' } },
);

const listener = toNodeHandler({ fetch: handler });
const port = Number(process.env.PORT ?? 3300);
createServer((req, res) => {
  if (new URL(req.url ?? '/', 'http://localhost').pathname !== '/mcp') {
    res.writeHead(404).end();
    return;
  }
  void listener(req, res);
}).listen(port, '127.0.0.1', () => console.error(`mcp-handler server on http://127.0.0.1:${port}/mcp`));
