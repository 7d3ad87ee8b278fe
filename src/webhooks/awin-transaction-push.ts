import type { Prisma } from '../generated/prisma/client.js';
import { ValidationError } from '../ledger/errors.js';
import type { LedgerEvent } from '../ledger/record-event.js';
import { readClickRefDomain } from './awin-postback.js';
import { FieldReader } from './fields.js';
import { parseJsonText, toPlainJson, type JsonObject } from './json-body.js';

/** The form field in which Awin sends the transaction as a JSON document. */
export const AWIN_PUSH_FIELD = 'AwinTransactionPush';

// Products can be many; beyond this size the metadata keeps only their count.
const METADATA_MAX_BYTES = 8192;

/** Reads Awin's form POST: the JSON document in the AwinTransactionPush field. */
export function parseAwinPushForm(form: JsonObject): LedgerEvent {
  const text = new FieldReader(form).text(AWIN_PUSH_FIELD, Number.MAX_SAFE_INTEGER);
  if (text === undefined) {
    throw new ValidationError(AWIN_PUSH_FIELD, `${AWIN_PUSH_FIELD} is required: Awin sends the transaction as JSON in this form field`);
  }
  return parseAwinTransactionPush(parseJsonText(text, AWIN_PUSH_FIELD));
}

/**
 * Reads one Awin transaction push, from the form's JSON document or from a
 * GET query string, into a new pending sale. `clickRef` names the domain,
 * `clickRef2` the click id, and `commission` in `transactionCurrency` is
 * the gross. The push carries no status, so approvals arrive later through
 * the Awin postback route or an import.
 */
export function parseAwinTransactionPush(push: JsonObject): LedgerEvent {
  const fields = new FieldReader(push, { rejectPlaceholders: true });
  return {
    eventType: 'SALE',
    domain: readClickRefDomain(fields),
    partnerTransactionId: fields.required('transactionId', fields.identifier('transactionId', 128)),
    clickId: fields.identifier('clickRef2', 64),
    grossAmount: fields.required('commission', fields.amount('commission')),
    currency: fields.currency('transactionCurrency'),
    occurredAt: fields.utcDateTime('transactionDate'),
    referrer: fields.text('url', 2048),
    metadata: pushMetadata(fields),
  };
}

function pushMetadata(fields: FieldReader): Prisma.InputJsonObject {
  const metadata: Record<string, unknown> = {
    merchantId: fields.identifier('merchantId', 64),
    affiliateId: fields.identifier('affiliateId', 64),
    saleAmount: fields.amount('transactionAmount'),
  };
  const commissionGroups = fields.objectList('commissionGroups');
  const products = fields.objectList('products');
  if (commissionGroups) metadata.commissionGroups = commissionGroups.map(toPlainJson);
  if (products) metadata.products = products.map(toPlainJson);

  if (products && Buffer.byteLength(JSON.stringify(metadata)) > METADATA_MAX_BYTES) {
    delete metadata.products;
    metadata.productCount = products.length;
  }
  return JSON.parse(JSON.stringify(metadata)) as Prisma.InputJsonObject;
}
