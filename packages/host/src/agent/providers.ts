/**
 * The model providers behind one interface: the Anthropic Messages API, and any OpenAI-compatible
 * chat-completions endpoint (OpenAI, Ollama, vLLM, llama.cpp server). Both are the Vercel AI SDK's
 * own providers; this file only chooses one, its endpoint, its key and its model.
 */
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LanguageModel } from 'ai';

export const PROVIDERS = ['anthropic', 'openai'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

/** The model used when none is named. */
export const DEFAULT_MODELS: Record<ProviderName, string> = {
  anthropic: 'claude-sonnet-4-5',
  openai: 'gpt-4.1-mini',
};

/** Where each provider is reached when no base URL is given. */
export const DEFAULT_BASE_URLS: Record<ProviderName, string> = {
  anthropic: 'https://api.anthropic.com/v1',
  openai: 'https://api.openai.com/v1',
};

/** The environment variable each provider's key is read from. */
export const KEY_VARIABLES: Record<ProviderName, string> = {
  anthropic: 'ANTHROPIC_API_KEY',
  openai: 'OPENAI_API_KEY',
};

export interface ProviderOptions {
  provider: string;
  /** The model's id at the provider; DEFAULT_MODELS when absent. */
  model?: string;
  /** The API's base URL (ending in /v1); DEFAULT_BASE_URLS when absent. */
  baseUrl?: string;
  /** Where keys are read from (process.env by default). */
  env?: Record<string, string | undefined>;
}

/** A provider choice that cannot work: an unknown name, a missing key, a malformed URL. */
export class ProviderConfigError extends Error {
  override readonly name = 'ProviderConfigError';
}

export interface ChosenModel {
  provider: ProviderName;
  modelId: string;
  baseUrl: string;
  model: LanguageModel;
}

export function isProviderName(name: string): name is ProviderName {
  return (PROVIDERS as readonly string[]).includes(name);
}

function checkedBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ProviderConfigError(`--base-url must be an http(s) URL, found ${value}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ProviderConfigError(`--base-url must be an http(s) URL, found ${value}`);
  }
  return value.replace(/\/+$/, '');
}

/**
 * The language model for these options. Anthropic needs ANTHROPIC_API_KEY; an OpenAI-compatible
 * endpoint takes OPENAI_API_KEY when set (local servers such as Ollama need none).
 */
export function chooseModel(options: ProviderOptions): ChosenModel {
  const { provider } = options;
  if (!isProviderName(provider)) {
    throw new ProviderConfigError(`unknown provider "${provider}": use one of ${PROVIDERS.join(', ')}`);
  }
  const env = options.env ?? process.env;
  const baseUrl = checkedBaseUrl(options.baseUrl ?? DEFAULT_BASE_URLS[provider]);
  const modelId = options.model ?? DEFAULT_MODELS[provider];
  const apiKey = env[KEY_VARIABLES[provider]] || undefined;
  if (provider === 'anthropic') {
    if (apiKey === undefined) {
      throw new ProviderConfigError('the anthropic provider needs a key: set ANTHROPIC_API_KEY');
    }
    return { provider, modelId, baseUrl, model: createAnthropic({ apiKey, baseURL: baseUrl })(modelId) };
  }
  const openai = createOpenAICompatible({ name: 'openai', baseURL: baseUrl, apiKey, includeUsage: true });
  return { provider, modelId, baseUrl, model: openai.chatModel(modelId) };
}
