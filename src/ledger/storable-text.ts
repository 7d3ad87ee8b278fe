// An unpaired UTF-16 surrogate has no UTF-8 encoding.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Returns whether PostgreSQL can store the string unchanged: text and jsonb
 * columns reject the NUL character (U+0000), and an unpaired surrogate
 * would be replaced or rejected on the way to UTF-8.
 */
export function isStorableText(value: string): boolean {
  return !value.includes('\u0000') && !LONE_SURROGATE.test(value);
}

/** Replaces what PostgreSQL cannot store with U+FFFD, for log text built from caller input. */
export function toStorableText(value: string): string {
  return value.replaceAll('\u0000', '\ufffd').replace(new RegExp(LONE_SURROGATE.source, 'g'), '\ufffd');
}

export const STORABLE_TEXT_HINT = 'must be valid Unicode text without NUL characters (U+0000)';
