import type { DomainRef, LedgerEvent } from '../ledger/record-event.js';
import { FieldReader } from './fields.js';
import type { JsonObject } from './json-body.js';

// Awin's "declined" becomes a rejection, which the ledger turns into a
// reversal when the transaction was already confirmed.
const STATUSES = { pending: 'PENDING', approved: 'CONFIRMED', declined: 'REJECTED' } as const;
const TRANSACTION_TYPES = { sale: 'SALE', lead: 'LEAD' } as const;

/**
 * Reads the Awin postback body into a ledger event. `clickRef` carries the
 * domain: its name, or the ledger's numeric domain id.
 */
export function parseAwinPostback(body: JsonObject): LedgerEvent {
  const fields = new FieldReader(body);
  return {
    eventType: fields.oneOf('transactionType', TRANSACTION_TYPES) ?? 'SALE',
    domain: readClickRefDomain(fields),
    partnerTransactionId: fields.required('transactionId', fields.identifier('transactionId', 128)),
    grossAmount: fields.amount('commission'),
    currency: fields.currency('commissionCurrency'),
    status: fields.oneOf('status', STATUSES),
  };
}

/** Reads the domain from Awin's `clickRef`: a domain name, or the ledger's numeric domain id. */
export function readClickRefDomain(fields: FieldReader): DomainRef {
  const clickRef = fields.required('clickRef', fields.identifier('clickRef', 300));
  if (/^\d{1,9}$/.test(clickRef)) return { id: Number(clickRef) };
  return { name: fields.required('clickRef', fields.domain('clickRef')) };
}
