/**
 * Resources for the conformance scenarios: static text, static binary, a URI template,
 * and a subscribable resource. Reading an unknown URI is answered by the SDK with
 * `-32602` (SEP-2164) carrying the URI.
 */
import { type McpServer, type ReadResourceResult, ResourceTemplate } from '@modelcontextprotocol/server';
import type { ConformanceDeps, Era } from './context.ts';
import { PNG_BASE64 } from './fixtures.ts';

/** Registers the resources, plus 2025-era `resources/subscribe` / `resources/unsubscribe`. */
export function registerResources(server: McpServer, era: Era, deps: ConformanceDeps): void {
  server.registerResource(
    'static-text',
    'test://static-text',
    { title: 'Static text', description: 'A fixed plain-text resource', mimeType: 'text/plain' },
    async (): Promise<ReadResourceResult> => ({
      contents: [
        {
          uri: 'test://static-text',
          mimeType: 'text/plain',
          text: 'This is the content of the static text resource.',
        },
      ],
    }),
  );

  server.registerResource(
    'static-binary',
    'test://static-binary',
    { title: 'Static binary', description: 'A fixed PNG image resource', mimeType: 'image/png' },
    async (): Promise<ReadResourceResult> => ({
      contents: [{ uri: 'test://static-binary', mimeType: 'image/png', blob: PNG_BASE64 }],
    }),
  );

  server.registerResource(
    'template-data',
    new ResourceTemplate('test://template/{id}/data', { list: undefined }),
    { title: 'Templated data', description: 'JSON data for the id in the URI', mimeType: 'application/json' },
    async (uri, variables): Promise<ReadResourceResult> => {
      const raw = variables.id;
      const id = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
      return {
        contents: [
          {
            uri: uri.href,
            mimeType: 'application/json',
            text: JSON.stringify({ id, templateTest: true, data: `Data for ID: ${id}` }),
          },
        ],
      };
    },
  );

  server.registerResource(
    'watched-resource',
    'test://watched-resource',
    { title: 'Watched resource', description: 'A resource clients may subscribe to', mimeType: 'text/plain' },
    async (): Promise<ReadResourceResult> => ({
      contents: [
        { uri: 'test://watched-resource', mimeType: 'text/plain', text: 'Watched resource content.' },
      ],
    }),
  );

  // 2026-07-28 removed resources/subscribe in favour of subscriptions/listen; only the
  // 2025-era instances answer it.
  if (era === 'legacy') {
    server.server.setRequestHandler('resources/subscribe', async (request) => {
      deps.subscriptions.add(request.params.uri);
      return {};
    });
    server.server.setRequestHandler('resources/unsubscribe', async (request) => {
      deps.subscriptions.delete(request.params.uri);
      return {};
    });
  }
}
