import { domainToASCII } from 'node:url';

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * Normalizes a domain name: trimmed, lower case, without the trailing dot,
 * internationalized names as punycode. Returns undefined for anything that
 * is not a host name.
 */
export function normalizeDomainName(input: string): string | undefined {
  let name = input.trim();
  if (name.endsWith('.')) name = name.slice(0, -1);
  if (name === '' || name.length > 253 || /[\s/:@?#\\]/.test(name)) return undefined;

  const ascii = domainToASCII(name.toLowerCase());
  if (ascii === '' || ascii.length > 253) return undefined;

  const labels = ascii.split('.');
  if (labels.length < 2 || !labels.every((label) => LABEL.test(label))) return undefined;
  if (/^\d+$/.test(labels.at(-1) ?? '')) return undefined;
  return ascii;
}
