import { parse } from 'lossless-json';

import { WebhookError } from './problem.js';

/** A JSON number kept as the text it was written as, so no binary float touches it. */
export class JsonNumber {
  constructor(readonly text: string) {}
}

export type JsonValue = string | boolean | null | JsonNumber | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

const MAX_DEPTH = 32;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Parses a request body that must be one JSON object. Numbers keep their
 * source text, duplicate keys are rejected, and keys such as `__proto__`
 * stay plain properties.
 */
export function parseJsonObject(body: Uint8Array): JsonObject {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new WebhookError(400, 'The body is not valid UTF-8 text; send JSON encoded as UTF-8.');
  }
  return parseJsonText(text, 'The body');
}

/**
 * Parses text that must be one JSON object, under the same rules as a JSON
 * body. `source` names it in error messages, e.g. a form field.
 */
export function parseJsonText(text: string, source: string): JsonObject {
  if (text.trim() === '') throw new WebhookError(400, `${source} is empty; send a JSON object.`);

  let value: unknown;
  try {
    value = parse(text, null, (numberText) => new JsonNumber(numberText));
  } catch (error) {
    throw new WebhookError(400, `${source} is not valid JSON: ${(error as Error).message}.`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof JsonNumber) {
    throw new WebhookError(400, `${source} must be a JSON object, not an array or a single value.`);
  }
  if (depth(value as JsonValue) > MAX_DEPTH) throw new WebhookError(400, `${source} nests deeper than ${MAX_DEPTH} levels.`);
  return value as JsonObject;
}

function depth(value: JsonValue): number {
  if (value === null || typeof value !== 'object' || value instanceof JsonNumber) return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  let deepest = 0;
  for (const child of children) deepest = Math.max(deepest, depth(child));
  return deepest + 1;
}

/**
 * Converts a parsed value to plain JSON for storage. A number becomes a
 * JavaScript number only when that keeps its exact text; otherwise it is
 * stored as a string.
 */
export function toPlainJson(value: JsonValue): unknown {
  if (value instanceof JsonNumber) {
    const number = Number(value.text);
    return String(number) === value.text ? number : value.text;
  }
  if (Array.isArray(value)) return value.map(toPlainJson);
  if (value !== null && typeof value === 'object') {
    const plain: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      Object.defineProperty(plain, key, { value: toPlainJson(child), enumerable: true, writable: true, configurable: true });
    }
    return plain;
  }
  return value;
}
