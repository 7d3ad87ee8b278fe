import type { Prisma } from '../generated/prisma/client.js';
import type { LedgerEvent } from '../ledger/record-event.js';
import { FieldReader } from './fields.js';
import type { JsonObject } from './json-body.js';

const EVENT_TYPES = { click: 'CLICK', lead: 'LEAD', sale: 'SALE' } as const;
const STATUSES = { pending: 'PENDING', confirmed: 'CONFIRMED', rejected: 'REJECTED', reversed: 'REVERSED' } as const;

export const METADATA_MAX_BYTES = 4096;

/** Reads the generic postback body (the old system's JSON format) into a ledger event. */
export function parseGenericPostback(body: JsonObject): LedgerEvent {
  const fields = new FieldReader(body);
  return {
    eventType: fields.required('event_type', fields.oneOf('event_type', EVENT_TYPES)),
    domain: { name: fields.required('domain', fields.domain('domain')) },
    partnerTransactionId: fields.identifier('transaction_id', 128),
    clickId: fields.identifier('click_id', 64),
    grossAmount: fields.amount('amount'),
    currency: fields.currency('currency'),
    status: fields.oneOf('status', STATUSES),
    occurredAt: fields.timestamp('occurred_at'),
    geoCountry: fields.country('geo_country'),
    referrer: fields.text('referrer', 2048),
    userAgent: fields.text('user_agent', 1024),
    metadata: fields.object('metadata', METADATA_MAX_BYTES) as Prisma.InputJsonObject | undefined,
  };
}
