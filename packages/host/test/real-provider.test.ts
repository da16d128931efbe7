/**
 * A real model endpoint, when one is configured (no model runs here, so it is skipped otherwise):
 *
 *   GATEHOUSE_TEST_PROVIDER=anthropic ANTHROPIC_API_KEY=… node --test packages/host/test/real-provider.test.ts
 *   GATEHOUSE_TEST_PROVIDER=openai GATEHOUSE_TEST_BASE_URL=http://localhost:11434/v1 \
 *     GATEHOUSE_TEST_MODEL=llama3.1 node --test packages/host/test/real-provider.test.ts
 *
 * The model must call a tool to learn a word that exists only in this test, and say it back.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { Conversation } from '../src/agent/conversation.ts';
import { chooseModel } from '../src/agent/providers.ts';
import { functionToolSource } from './helpers/function-tools.ts';

const provider = process.env.GATEHOUSE_TEST_PROVIDER;
const skip =
  provider === undefined
    ? 'set GATEHOUSE_TEST_PROVIDER (and its key / base URL) to run against a real model'
    : false;

describe('the agent loop against a real model endpoint', { skip }, () => {
  it('calls a tool and answers from its result, with the provider’s token counts', async () => {
    const word = `gh${randomBytes(4).toString('hex')}`;
    const tools = functionToolSource({
      get_secret_word: {
        description:
          'Returns the secret word of the day. Call it whenever the user asks for the secret word.',
        run: async () => word,
      },
    });
    const chosen = chooseModel({
      provider: provider as string,
      baseUrl: process.env.GATEHOUSE_TEST_BASE_URL,
      model: process.env.GATEHOUSE_TEST_MODEL,
    });
    const conversation = new Conversation({
      model: chosen.model,
      tools,
      endpoint: chosen.baseUrl,
      ask: async () => ({ action: 'decline' }),
    });
    const turn = await conversation.runTurn('What is the secret word of the day? Reply with the word only.');
    assert.equal(turn.outcome, 'answered', turn.error);
    assert.equal(tools.calls.length >= 1, true, 'the model called the tool');
    assert.match(turn.text, new RegExp(word));
    assert.ok(turn.tokens.input > turn.tokens.toolDefinitionsPerRequest && turn.tokens.output > 0);
  });
});
