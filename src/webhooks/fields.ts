import { normalizeCurrency } from '../ledger/currency.js';
import { normalizeDomainName } from '../ledger/domain-name.js';
import { ValidationError } from '../ledger/errors.js';
import { isStorableText, STORABLE_TEXT_HINT } from '../ledger/storable-text.js';
import { AmountFormatError, parseAmount } from '../ledger/money.js';
import { JsonNumber, toPlainJson, type JsonObject, type JsonValue } from './json-body.js';

/**
 * Readers for the fields of a postback body. Each returns undefined for an
 * absent or null field and throws a ValidationError naming the field when
 * the value is invalid.
 */
export class FieldReader {
  constructor(
    private readonly body: JsonObject,
    private readonly options: { rejectPlaceholders?: boolean } = {},
  ) {}

  private value(field: string): JsonValue | undefined {
    if (!Object.hasOwn(this.body, field)) return undefined;
    const value = this.body[field];
    if (this.options.rejectPlaceholders && typeof value === 'string' && isPlaceholder(value)) {
      throw new ValidationError(
        field,
        `${field} holds the unsubstituted placeholder "${value.slice(0, 60)}": the partner's postback URL must fill in this macro`,
      );
    }
    return value === null ? undefined : value;
  }

  text(field: string, maxLength: number): string | undefined {
    const value = this.value(field);
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw new ValidationError(field, `${field} must be a string`);
    if (!isStorableText(value)) throw new ValidationError(field, `${field} ${STORABLE_TEXT_HINT}`);
    if (value.length > maxLength) throw new ValidationError(field, `${field} must be at most ${maxLength} characters long, got ${value.length}`);
    return value;
  }

  /** Reads an identifier that partners send as a string or as an integer. */
  identifier(field: string, maxLength: number): string | undefined {
    const value = this.value(field);
    if (value === undefined) return undefined;

    let text: string;
    if (typeof value === 'string') text = value.trim();
    else if (value instanceof JsonNumber && /^\d+$/.test(value.text)) text = value.text;
    else throw new ValidationError(field, `${field} must be a string`);

    if (text === '') throw new ValidationError(field, `${field} must not be empty`);
    if (!isStorableText(text)) throw new ValidationError(field, `${field} ${STORABLE_TEXT_HINT}`);
    if (text.length > maxLength) throw new ValidationError(field, `${field} must be at most ${maxLength} characters long, got ${text.length}`);
    return text;
  }

  required<T>(field: string, value: T | undefined): T {
    if (value === undefined) throw new ValidationError(field, `${field} is required`);
    return value;
  }

  oneOf<T extends string>(field: string, allowed: Record<string, T>): T | undefined {
    const value = this.value(field);
    if (value === undefined) return undefined;
    const choices = Object.keys(allowed).join(', ');
    if (typeof value !== 'string') throw new ValidationError(field, `${field} must be one of ${choices}`);
    const key = value.trim().toLowerCase();
    if (!Object.hasOwn(allowed, key)) throw new ValidationError(field, `${field} must be one of ${choices}, got "${value.slice(0, 40)}"`);
    return allowed[key]!;
  }

  /** Reads a non-negative amount, given as a decimal string or a JSON number, from its source text. */
  amount(field: string): string | undefined {
    const value = this.value(field);
    if (value === undefined) return undefined;
    if (typeof value !== 'string' && !(value instanceof JsonNumber)) {
      throw new ValidationError(field, `${field} must be a decimal string such as "12.50" or a JSON number`);
    }
    try {
      return parseAmount(typeof value === 'string' ? value : value.text);
    } catch (error) {
      if (error instanceof AmountFormatError) throw new ValidationError(field, `${field} ${error.message}`);
      throw error;
    }
  }

  currency(field: string): string | undefined {
    const value = this.text(field, 16);
    if (value === undefined) return undefined;
    const code = normalizeCurrency(value);
    if (!code) throw new ValidationError(field, `${field} "${value}" is not an ISO 4217 currency code such as CHF, EUR or USD`);
    return code;
  }

  domain(field: string): string | undefined {
    const value = this.text(field, 300);
    if (value === undefined) return undefined;
    const name = normalizeDomainName(value);
    if (!name) throw new ValidationError(field, `${field} "${value.slice(0, 100)}" is not a valid host name such as "shop.example.com"`);
    return name;
  }

  country(field: string): string | undefined {
    const value = this.text(field, 2);
    if (value === undefined) return undefined;
    if (!/^[A-Za-z]{2}$/.test(value)) throw new ValidationError(field, `${field} must be an ISO 3166-1 alpha-2 code such as CH`);
    return value.toUpperCase();
  }

  timestamp(field: string): Date | undefined {
    const value = this.text(field, 40);
    if (value === undefined) return undefined;
    const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;
    const date = new Date(value);
    if (!iso.test(value) || Number.isNaN(date.getTime())) {
      throw new ValidationError(field, `${field} must be an ISO 8601 time with a zone, such as 2026-11-28T14:05:09Z`);
    }
    return date;
  }

  /** Reads a UTC time written `YYYY-MM-DD HH:MM:SS`, as Awin sends it. */
  utcDateTime(field: string): Date | undefined {
    const value = this.text(field, 40);
    if (value === undefined) return undefined;
    const match = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(value.trim());
    const date = match ? new Date(`${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}Z`) : undefined;
    // The round trip rejects dates such as 2026-02-30 that Date would move into March.
    if (!date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 19) !== value.trim().replace(' ', 'T')) {
      throw new ValidationError(field, `${field} must be a UTC time written YYYY-MM-DD HH:MM:SS, such as 2026-11-28 14:05:09`);
    }
    return date;
  }

  /** Reads an array of JSON objects, such as Awin's commissionGroups or products. */
  objectList(field: string): JsonObject[] | undefined {
    const value = this.value(field);
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) throw new ValidationError(field, `${field} must be an array of objects`);
    return value.map((item, index) => {
      if (item === null || typeof item !== 'object' || Array.isArray(item) || item instanceof JsonNumber) {
        throw new ValidationError(`${field}[${index}]`, `${field}[${index}] must be an object`);
      }
      return item;
    });
  }

  /** Reads a JSON object to store as it came, limited in its serialized size. */
  object(field: string, maxBytes: number): Record<string, unknown> | undefined {
    const value = this.value(field);
    if (value === undefined) return undefined;
    if (typeof value !== 'object' || Array.isArray(value) || value instanceof JsonNumber) {
      throw new ValidationError(field, `${field} must be a JSON object`);
    }
    const plain = toPlainJson(value) as Record<string, unknown>;
    if (!isStorableJson(plain)) throw new ValidationError(field, `${field}: every key and string ${STORABLE_TEXT_HINT}`);
    const size = Buffer.byteLength(JSON.stringify(plain));
    if (size > maxBytes) throw new ValidationError(field, `${field} must be at most ${maxBytes} bytes as JSON, got ${size}`);
    return plain;
  }
}

// Macros that a partner left unfilled: Awin's !!!commission!!! anywhere in
// the value, or a whole value such as {payout} or {{payout}} as trackers write them.
function isPlaceholder(value: string): boolean {
  return /!!![A-Za-z0-9_]*!!!/.test(value) || /^\{\{?\s*[A-Za-z0-9_.:-]+\s*\}\}?$/.test(value.trim());
}

function isStorableJson(value: unknown): boolean {
  if (typeof value === 'string') return isStorableText(value);
  if (Array.isArray(value)) return value.every(isStorableJson);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).every(([key, child]) => isStorableText(key) && isStorableJson(child));
  }
  return true;
}
