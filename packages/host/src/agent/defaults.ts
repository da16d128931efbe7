/** The agent loop's defaults, each written once (the CLI's help quotes them). */

/** Model requests per turn at most. */
export const DEFAULT_MAX_STEPS = 10;

/** Retries of a model request that may succeed later (HTTP 429, 5xx, a dropped connection). */
export const DEFAULT_MAX_RETRIES = 2;
