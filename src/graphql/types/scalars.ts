import { GraphQLError, Kind } from 'graphql';

import { normalizeCurrency } from '../../ledger/currency.js';
import { builder } from '../builder.js';

const DECIMAL_TEXT = /^-?\d{1,20}(\.\d{1,12})?$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function parseDecimal(value: unknown): string {
  if (typeof value !== 'string' || !DECIMAL_TEXT.test(value.trim())) {
    throw new GraphQLError(`Decimal must be a string in plain decimal notation such as "12.50", got ${JSON.stringify(value)?.slice(0, 40)}.`);
  }
  return value.trim();
}

function parseDateTime(value: unknown): Date {
  const date = typeof value === 'string' && ISO_DATE_TIME.test(value) ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) {
    throw new GraphQLError(`DateTime must be an ISO 8601 string with a zone, such as "2026-11-28T14:05:09Z", got ${JSON.stringify(value)?.slice(0, 40)}.`);
  }
  return date;
}

builder.scalarType('Decimal', {
  description: 'An exact decimal amount as a string, such as "12.340000". Never a float.',
  serialize: (value) => (typeof value === 'string' ? value : value.toFixed(6)),
  parseValue: parseDecimal,
  parseLiteral: (node) => parseDecimal(node.kind === Kind.STRING ? node.value : undefined),
});

builder.scalarType('DateTime', {
  description: 'A point in time as an ISO 8601 string in UTC, such as "2026-11-28T14:05:09.000Z".',
  serialize: (value) => value.toISOString(),
  parseValue: parseDateTime,
  parseLiteral: (node) => parseDateTime(node.kind === Kind.STRING ? node.value : undefined),
});

function parseCurrencyCode(value: unknown): string {
  const code = typeof value === 'string' ? normalizeCurrency(value) : undefined;
  if (!code) throw new GraphQLError(`CurrencyCode must be an ISO 4217 code such as "CHF", got ${JSON.stringify(value)?.slice(0, 20)}.`);
  return code;
}

builder.scalarType('CurrencyCode', {
  description: 'An ISO 4217 currency code such as "CHF"; input is case-insensitive, output upper case.',
  serialize: (value) => value,
  parseValue: parseCurrencyCode,
  parseLiteral: (node) => parseCurrencyCode(node.kind === Kind.STRING ? node.value : undefined),
});
