import { ValidationError } from '../ledger/errors.js';
import { TOKEN_PARAMETER } from '../ledger/partner-settings.js';
import type { JsonObject } from './json-body.js';
import { WebhookError } from './problem.js';

/** Reads a GET postback's query parameters as text fields, leaving out the URL token. */
export function queryFields(params: URLSearchParams): JsonObject {
  return collectFields([...params].filter(([name]) => name !== TOKEN_PARAMETER));
}

/** Returns the query string without the URL token, so the token is never hashed, stored or logged. */
export function queryWithoutToken(params: URLSearchParams): string {
  return new URLSearchParams([...params].filter(([name]) => name !== TOKEN_PARAMETER)).toString();
}

/** Reads an application/x-www-form-urlencoded or multipart/form-data body as text fields. */
export async function formFields(body: Uint8Array, contentType: string): Promise<JsonObject> {
  let form: FormData;
  try {
    form = await new Response(body as Uint8Array<ArrayBuffer>, { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw new WebhookError(400, 'The body is not a valid form; send application/x-www-form-urlencoded fields.');
  }

  const entries: [string, string][] = [];
  for (const [name, value] of form) {
    if (typeof value !== 'string') throw new ValidationError(name, `${name} must be a text field, not a file`);
    entries.push([name, value]);
  }
  return collectFields(entries);
}

function collectFields(entries: readonly [string, string][]): JsonObject {
  const fields: JsonObject = {};
  for (const [name, value] of entries) {
    if (Object.hasOwn(fields, name)) {
      const count = entries.filter(([other]) => other === name).length;
      throw new ValidationError(name, `${name} appears ${count} times; send it once`);
    }
    // defineProperty keeps names such as __proto__ plain fields.
    Object.defineProperty(fields, name, { value, enumerable: true, writable: true, configurable: true });
  }
  return fields;
}
