/**
 * What a failed API call tells the model. The REST API answers refusals as problem+json; its
 * `detail` is written for people ("your role (viewer) does not allow incidents:write") and becomes
 * the tool error's text. `details.modelCanFix` says whether different arguments could succeed
 * (not found, invalid, conflict) or not (the token, the role, the product being down).
 */
import { ToolError } from '@gatehouse/kit';
import { HttpError, ServiceUnavailableError } from '@gatehouse/kit/infra';

interface StatusMeaning {
  code: string;
  modelCanFix: boolean;
  lead: string;
}

const BY_STATUS: Record<number, StatusMeaning> = {
  400: { code: 'invalid', modelCanFix: true, lead: 'Lantern refused the request' },
  403: { code: 'forbidden', modelCanFix: false, lead: 'Lantern refused' },
  404: { code: 'not_found', modelCanFix: true, lead: 'Not found in Lantern' },
  409: { code: 'conflict', modelCanFix: true, lead: 'Lantern refused' },
  413: { code: 'invalid', modelCanFix: true, lead: 'Lantern refused' },
  422: { code: 'invalid', modelCanFix: true, lead: 'Lantern refused' },
};

export const UNKNOWN_TOKEN_MESSAGE =
  'Lantern does not accept this server\'s LANTERN_TOKEN: it is unknown or revoked. Ask your Lantern admin for a new token (or run "npx gatehouse lantern token --email you@…") and restart the server with it.';

/** Turns what the HTTP client threw into the tool error the model sees. */
export function toolErrorOf(error: unknown, lanternUrl: string): unknown {
  if (error instanceof ServiceUnavailableError) {
    const reason = error.message.replace(/^.* is unavailable: /, '');
    return new ToolError('unavailable', `cannot reach Lantern at ${lanternUrl} (${reason}).`, {
      modelCanFix: false,
    });
  }
  if (!(error instanceof HttpError)) return error;
  if (error.status === 401) {
    return new ToolError('unauthenticated', UNKNOWN_TOKEN_MESSAGE, { status: 401, modelCanFix: false });
  }
  const meaning = BY_STATUS[error.status] ?? {
    code: 'lantern_error',
    modelCanFix: false,
    lead: `Lantern answered HTTP ${error.status}`,
  };
  const said = error.problem?.detail ?? error.problem?.title;
  const text = said === undefined ? `${meaning.lead}.` : `${meaning.lead}: ${said}.`;
  return new ToolError(meaning.code, text, { status: error.status, modelCanFix: meaning.modelCanFix });
}
