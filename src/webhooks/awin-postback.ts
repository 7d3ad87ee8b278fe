import type { LedgerEvent } from '../ledger/record-event.js';
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
  const clickRef = fields.required('clickRef', fields.identifier('clickRef', 300));

  let domain: LedgerEvent['domain'];
  if (/^\d{1,9}$/.test(clickRef)) {
    domain = { id: Number(clickRef) };
  } else {
    domain = { name: fields.required('clickRef', fields.domain('clickRef')) };
  }

  return {
    eventType: fields.oneOf('transactionType', TRANSACTION_TYPES) ?? 'SALE',
    domain,
    partnerTransactionId: fields.required('transactionId', fields.identifier('transactionId', 128)),
    grossAmount: fields.amount('commission'),
    currency: fields.currency('commissionCurrency'),
    status: fields.oneOf('status', STATUSES),
  };
}
