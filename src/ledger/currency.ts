// ICU's list of ISO 4217 codes in use, as shipped with Node.js.
const KNOWN_CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

export const DEFAULT_CURRENCY = 'CHF';

/** Returns the upper-case ISO 4217 code, or undefined when the code is unknown. */
export function normalizeCurrency(input: string): string | undefined {
  const code = input.trim().toUpperCase();
  return KNOWN_CURRENCIES.has(code) ? code : undefined;
}
