import { Decimal } from 'decimal.js';

/**
 * Decimal arithmetic for money. The precision is far above the 20 digits of
 * an amount times the 7 of a revenue share, so only the final rounding to 6
 * decimal places (half-even) ever changes a value.
 */
export const Money = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_HALF_EVEN, toExpNeg: -30, toExpPos: 40 });
export type Money = Decimal;
export type MoneyValue = Decimal.Value;

export const AMOUNT_SCALE = 6;
const MAX_INTEGER_DIGITS = 14;
const PLAIN_DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/**
 * Parses an amount written as plain decimal text, as it appeared in the
 * request, and returns it with 6 decimal places. Throws a message for the
 * caller to attach to the field.
 */
export function parseAmount(text: string): string {
  const trimmed = text.trim();
  if (trimmed.startsWith('-')) throw new AmountFormatError(`must not be negative, got "${text}"`);

  const match = PLAIN_DECIMAL.exec(trimmed);
  if (!match) {
    throw new AmountFormatError(
      `must be a decimal number in plain notation such as "12.50" (no exponent, sign, separators or currency symbol), got "${truncate(text)}"`,
    );
  }
  const [, integerPart = '', fractionPart = ''] = match;
  if (integerPart.replace(/^0+(?=\d)/, '').length > MAX_INTEGER_DIGITS) {
    throw new AmountFormatError(`must have at most ${MAX_INTEGER_DIGITS} digits before the decimal point`);
  }
  if (fractionPart.length > AMOUNT_SCALE) {
    throw new AmountFormatError(`must have at most ${AMOUNT_SCALE} decimal places, got "${truncate(text)}"`);
  }
  return new Money(trimmed).toFixed(AMOUNT_SCALE);
}

export class AmountFormatError extends Error {}

/** Computes the domain owner's share: gross × revenue share, half-even to 6 places. */
export function netAmount(gross: MoneyValue, revenueShare: MoneyValue): string {
  return new Money(gross).times(revenueShare).toDecimalPlaces(AMOUNT_SCALE, Decimal.ROUND_HALF_EVEN).toFixed(AMOUNT_SCALE);
}

/** Formats a stored decimal (Prisma's Decimal, a string or a Money) with 6 places. */
export function formatAmount(value: { toString(): string } | string): string {
  return new Money(value.toString()).toFixed(AMOUNT_SCALE);
}

export function parseRevenueShare(text: string): string {
  const match = /^(0(\.\d{1,6})?|1(\.0{1,6})?)$/.exec(text.trim());
  if (!match) throw new AmountFormatError(`must be a decimal between 0 and 1 with at most 6 decimal places, got "${truncate(text)}"`);
  return new Money(text.trim()).toFixed(AMOUNT_SCALE);
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
