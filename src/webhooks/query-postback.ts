import type { PartnerQueryMapping, TransactionStatus } from '../generated/prisma/client.js';
import { ValidationError } from '../ledger/errors.js';
import type { LedgerEvent } from '../ledger/record-event.js';
import { FieldReader } from './fields.js';
import type { JsonObject } from './json-body.js';
import { WebhookError } from './problem.js';

// Used when the mapping names a status parameter but no values of its own.
const LEDGER_STATUSES: Record<string, TransactionStatus> = {
  pending: 'PENDING',
  confirmed: 'CONFIRMED',
  rejected: 'REJECTED',
  reversed: 'REVERSED',
};

/**
 * Reads a tracker's GET postback with the partner's parameter mapping.
 * Errors name the query parameter as the partner sends it.
 */
export function parseQueryPostback(query: JsonObject, partnerSlug: string, mapping: PartnerQueryMapping | null): LedgerEvent {
  if (!mapping) {
    throw new WebhookError(503, `Partner "${partnerSlug}" has no GET parameter mapping; an admin sets queryMapping with upsertPartner.`);
  }
  const fields = new FieldReader(query, { rejectPlaceholders: true });
  const optional = <T>(parameter: string | null, read: (name: string) => T | undefined): T | undefined =>
    parameter === null ? undefined : read(parameter);

  return {
    eventType: mapping.eventType,
    domain: { name: fields.required(mapping.domainParam, fields.domain(mapping.domainParam)) },
    partnerTransactionId: fields.required(mapping.transactionIdParam, fields.identifier(mapping.transactionIdParam, 128)),
    clickId: optional(mapping.clickIdParam, (name) => fields.identifier(name, 64)),
    grossAmount: optional(mapping.amountParam, (name) => fields.amount(name)),
    currency: optional(mapping.currencyParam, (name) => fields.currency(name)),
    status: optional(mapping.statusParam, (name) => readStatus(fields, name, mapping.statusValues)),
  };
}

function readStatus(fields: FieldReader, parameter: string, configured: PartnerQueryMapping['statusValues']): TransactionStatus | undefined {
  const values = configured as Record<string, TransactionStatus>;
  const allowed = Object.keys(values).length > 0 ? values : LEDGER_STATUSES;
  const value = fields.text(parameter, 64);
  if (value === undefined) return undefined;

  const key = value.trim().toLowerCase();
  if (!Object.hasOwn(allowed, key)) {
    throw new ValidationError(parameter, `${parameter} "${value.slice(0, 40)}" is not one of the partner's status values: ${Object.keys(allowed).join(', ')}`);
  }
  return allowed[key];
}
