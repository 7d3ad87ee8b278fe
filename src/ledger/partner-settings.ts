import { createHash } from 'node:crypto';

import type { EventType, TransactionStatus } from '../generated/prisma/client.js';
import { parseIpRange } from '../ip-ranges.js';
import { ValidationError } from './errors.js';

export const AUTH_SCHEMES = ['HMAC_HEX', 'STANDARD_WEBHOOKS', 'URL_TOKEN'] as const;
export type AuthScheme = (typeof AUTH_SCHEMES)[number];

/** The query parameter that carries a URL token; a query mapping may not use it. */
export const TOKEN_PARAMETER = 'token';

const URL_TOKEN = /^[A-Za-z0-9._~-]{32,256}$/;
const PARAMETER_NAME = /^[A-Za-z0-9_.\-[\]]{1,64}$/;
const MAX_SOURCE_IPS = 100;
const MAX_STATUS_VALUES = 50;
export const MAX_RATE_LIMIT = 1_000_000;
export const MAX_RATE_LIMIT_WINDOW_SECONDS = 86_400;

export interface QueryMappingInput {
  eventType?: EventType;
  transactionId: string;
  domain: string;
  amount?: string;
  currency?: string;
  status?: string;
  clickId?: string;
  statusValues?: { value: string; status: TransactionStatus }[];
}

/** Authentication, rate limit and GET mapping settings of a partner; undefined leaves a setting as it is. */
export interface PartnerSettingsInput {
  authSchemes?: readonly AuthScheme[];
  /** The complete list of live URL tokens; it replaces the stored list. */
  urlTokens?: readonly string[];
  allowedSourceIps?: readonly string[];
  /** null returns to the server default. */
  rateLimit?: number | null;
  rateLimitWindowSeconds?: number | null;
  /** null removes the mapping. */
  queryMapping?: QueryMappingInput | null;
}

/** The columns and rows the settings turn into, ready for Prisma. */
export interface PartnerSettingsRows {
  columns: {
    acceptHmacHex?: boolean;
    acceptStandardWebhooks?: boolean;
    acceptUrlToken?: boolean;
    allowedSourceIps?: string[];
    rateLimit?: number | null;
    rateLimitWindowSeconds?: number | null;
  };
  tokenHashes?: string[];
  queryMapping?: QueryMappingRow | null;
}

export interface QueryMappingRow {
  eventType: EventType;
  transactionIdParam: string;
  domainParam: string;
  amountParam: string | null;
  currencyParam: string | null;
  statusParam: string | null;
  clickIdParam: string | null;
  statusValues: Record<string, TransactionStatus>;
}

// When a request carries several kinds of credentials, the first the partner accepts is checked.
const SCHEME_ORDER: readonly AuthScheme[] = ['STANDARD_WEBHOOKS', 'HMAC_HEX', 'URL_TOKEN'];

/** Returns the schemes a partner accepts, in the order they are checked. */
export function acceptedSchemes(partner: { acceptHmacHex: boolean; acceptStandardWebhooks: boolean; acceptUrlToken: boolean }): AuthScheme[] {
  const accepted: Record<AuthScheme, boolean> = {
    STANDARD_WEBHOOKS: partner.acceptStandardWebhooks,
    HMAC_HEX: partner.acceptHmacHex,
    URL_TOKEN: partner.acceptUrlToken,
  };
  return SCHEME_ORDER.filter((scheme) => accepted[scheme]);
}

/** Returns the SHA-256 of a URL token in hex, the form in which tokens are stored and compared. */
export function hashUrlToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Validates partner settings and converts them to database rows. Errors
 * name the field and never repeat a token.
 */
export function toSettingsRows(input: PartnerSettingsInput): PartnerSettingsRows {
  const rows: PartnerSettingsRows = { columns: {} };

  if (input.authSchemes !== undefined) {
    if (input.authSchemes.length === 0) {
      throw new ValidationError('authSchemes', `authSchemes must name at least one of ${AUTH_SCHEMES.join(', ')}`);
    }
    rows.columns.acceptHmacHex = input.authSchemes.includes('HMAC_HEX');
    rows.columns.acceptStandardWebhooks = input.authSchemes.includes('STANDARD_WEBHOOKS');
    rows.columns.acceptUrlToken = input.authSchemes.includes('URL_TOKEN');
  }

  if (input.urlTokens !== undefined) {
    for (const [index, token] of input.urlTokens.entries()) {
      if (!URL_TOKEN.test(token)) {
        throw new ValidationError(
          'urlTokens',
          `urlTokens[${index}] is invalid: use 32 to 256 characters A-Z, a-z, 0-9, ".", "_", "~" or "-", for example from \`openssl rand -hex 32\``,
        );
      }
    }
    rows.tokenHashes = [...new Set(input.urlTokens.map(hashUrlToken))];
  }

  if (input.allowedSourceIps !== undefined) rows.columns.allowedSourceIps = normalizeSourceIps(input.allowedSourceIps);
  if (input.rateLimit !== undefined) rows.columns.rateLimit = checkRange('rateLimit', input.rateLimit, MAX_RATE_LIMIT);
  if (input.rateLimitWindowSeconds !== undefined) {
    rows.columns.rateLimitWindowSeconds = checkRange('rateLimitWindowSeconds', input.rateLimitWindowSeconds, MAX_RATE_LIMIT_WINDOW_SECONDS);
  }
  if (input.queryMapping !== undefined) rows.queryMapping = input.queryMapping === null ? null : toQueryMappingRow(input.queryMapping);
  return rows;
}

function checkRange(field: string, value: number | null, max: number): number | null {
  if (value === null) return null;
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new ValidationError(field, `${field} must be a whole number from 1 to ${max}, or null for the server default; got ${value}`);
  }
  return value;
}

/** Validates IP addresses and CIDR ranges and writes them as address/prefix. */
function normalizeSourceIps(entries: readonly string[]): string[] {
  if (entries.length > MAX_SOURCE_IPS) {
    throw new ValidationError('allowedSourceIps', `allowedSourceIps must have at most ${MAX_SOURCE_IPS} entries, got ${entries.length}`);
  }
  const normalized = entries.map((entry, index) => {
    const range = parseIpRange(entry);
    if (range === undefined) {
      throw new ValidationError(
        'allowedSourceIps',
        `allowedSourceIps[${index}] "${entry.slice(0, 60)}" is not an IP address or CIDR range such as 203.0.113.7 or 2001:db8::/32`,
      );
    }
    return range;
  });
  return [...new Set(normalized)];
}

function toQueryMappingRow(input: QueryMappingInput): QueryMappingRow {
  const parameter = (name: keyof QueryMappingInput, value: string | undefined): string | null => {
    if (value === undefined) return null;
    const field = `queryMapping.${name}`;
    if (!PARAMETER_NAME.test(value)) {
      throw new ValidationError(field, `${field} "${value.slice(0, 70)}" is not a query parameter name: use 1 to 64 characters A-Z, a-z, 0-9, "_", ".", "-", "[" or "]"`);
    }
    if (value === TOKEN_PARAMETER) throw new ValidationError(field, `${field} may not be "${TOKEN_PARAMETER}": that parameter carries the URL token`);
    return value;
  };

  const row: QueryMappingRow = {
    eventType: input.eventType ?? 'SALE',
    transactionIdParam: parameter('transactionId', input.transactionId)!,
    domainParam: parameter('domain', input.domain)!,
    amountParam: parameter('amount', input.amount),
    currencyParam: parameter('currency', input.currency),
    statusParam: parameter('status', input.status),
    clickIdParam: parameter('clickId', input.clickId),
    statusValues: {},
  };

  const names = [row.transactionIdParam, row.domainParam, row.amountParam, row.currencyParam, row.statusParam, row.clickIdParam].filter(
    (name): name is string => name !== null,
  );
  const repeated = names.find((name, index) => names.indexOf(name) !== index);
  if (repeated) throw new ValidationError('queryMapping', `queryMapping uses the parameter "${repeated}" for two fields; give each field its own parameter`);

  const statusValues = input.statusValues ?? [];
  if (statusValues.length > MAX_STATUS_VALUES) {
    throw new ValidationError('queryMapping.statusValues', `queryMapping.statusValues must have at most ${MAX_STATUS_VALUES} entries`);
  }
  if (statusValues.length > 0 && row.statusParam === null) {
    throw new ValidationError('queryMapping.status', 'queryMapping.status must name the status parameter when statusValues are given');
  }
  for (const { value, status } of statusValues) {
    const key = value.trim().toLowerCase();
    if (key === '' || key.length > 64) throw new ValidationError('queryMapping.statusValues', 'queryMapping.statusValues values must be 1 to 64 characters long');
    if (Object.hasOwn(row.statusValues, key)) {
      throw new ValidationError('queryMapping.statusValues', `queryMapping.statusValues lists "${key}" twice; status values are compared without case`);
    }
    Object.defineProperty(row.statusValues, key, { value: status, enumerable: true, writable: true, configurable: true });
  }
  return row;
}
