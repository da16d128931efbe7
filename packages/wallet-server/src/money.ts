/**
 * Money as integers. Amounts cross the tool boundary as decimal strings ("12.50") and live in the
 * ledger as integer minor units (bigint here, INTEGER/BIGINT in the database), so no float ever
 * touches a balance. Each supported currency has its ISO 4217 exponent: EUR/USD 2 decimals, JPY
 * none, KWD three.
 */

/** ISO 4217 code → number of decimals (the minor-unit exponent). */
export const CURRENCY_EXPONENTS = {
  EUR: 2,
  USD: 2,
  GBP: 2,
  CHF: 2,
  SEK: 2,
  JPY: 0,
  KWD: 3,
} as const;

export type Currency = keyof typeof CURRENCY_EXPONENTS;

export const CURRENCIES = Object.keys(CURRENCY_EXPONENTS) as [Currency, ...Currency[]];

/** The largest amount one transfer may move, in minor units (keeps every sum far from int64 limits). */
export const MAX_TRANSFER_MINOR = 10n ** 15n;

export function isCurrency(code: string): code is Currency {
  return Object.hasOwn(CURRENCY_EXPONENTS, code);
}

export function exponentOf(currency: Currency): number {
  return CURRENCY_EXPONENTS[currency];
}

export type ParsedAmount = { ok: true; minor: bigint } | { ok: false; reason: string };

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/** "12.50" in EUR → 1250n; explains why when the text is not a positive amount of that currency. */
export function parseAmount(text: string, currency: Currency): ParsedAmount {
  const trimmed = text.trim();
  const exponent = exponentOf(currency);
  if (/^-/.test(trimmed)) return { ok: false, reason: 'the amount must be positive' };
  const match = DECIMAL.exec(trimmed);
  if (!match) {
    return {
      ok: false,
      reason: `"${text}" is not a decimal amount (write it like "12.50", digits and one dot)`,
    };
  }
  const [, whole = '', fraction = ''] = match;
  if (fraction.length > exponent) {
    return {
      ok: false,
      reason:
        exponent === 0
          ? `${currency} has no minor unit: write a whole number`
          : `${currency} has ${exponent} decimal${exponent === 1 ? '' : 's'}: "${text}" has ${fraction.length}`,
    };
  }
  const minor = BigInt(whole + fraction.padEnd(exponent, '0'));
  if (minor <= 0n) return { ok: false, reason: 'the amount must be greater than zero' };
  if (minor > MAX_TRANSFER_MINOR) {
    return {
      ok: false,
      reason: `the amount exceeds the limit of ${formatMinor(MAX_TRANSFER_MINOR, currency)}`,
    };
  }
  return { ok: true, minor };
}

/** 1250n in EUR → "12.50"; -5n in EUR → "-0.05"; 700n in JPY → "700". */
export function formatMinor(minor: bigint, currency: Currency): string {
  const exponent = exponentOf(currency);
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString();
  if (exponent === 0) return `${negative ? '-' : ''}${digits}`;
  const padded = digits.padStart(exponent + 1, '0');
  const whole = padded.slice(0, -exponent);
  const fraction = padded.slice(-exponent);
  return `${negative ? '-' : ''}${whole}.${fraction}`;
}

/** "12.50 EUR": the human form used in error messages. */
export function describeMoney(minor: bigint, currency: Currency): string {
  return `${formatMinor(minor, currency)} ${currency}`;
}
