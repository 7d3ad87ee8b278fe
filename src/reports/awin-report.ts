import { parse } from 'lossless-json';

import type { EventType, TransactionStatus } from '../generated/prisma/client.js';
import type { ImportRow } from '../ledger/import-batch.js';
import { JsonNumber, type JsonValue } from '../webhooks/json-body.js';
import { ReportFileError, type ParsedReport, type ReportOptions } from './parsed-report.js';
import { parseReportTime } from './report-time.js';

// A decline after approval becomes a reversal by the ledger rules. Awin
// deletes a transaction that should never have counted (a duplicate or a
// test order), which the ledger treats like a decline.
const STATUSES: Record<string, TransactionStatus> = {
  pending: 'PENDING',
  approved: 'CONFIRMED',
  declined: 'REJECTED',
  deleted: 'REJECTED',
};

// "Commission group transaction" is how Awin labels an ordinary sale. A
// bonus is commission the advertiser pays on top; it counts as a sale of
// the domain its clickRef names.
const TYPES: Record<string, EventType> = {
  sale: 'SALE',
  'commission group transaction': 'SALE',
  bonus: 'SALE',
  lead: 'LEAD',
};

class RecordError extends Error {}

/**
 * Reads the JSON array that Awin's publisher transactions API returns.
 * Amounts keep their exact decimal text. Field mapping: id → transactionId,
 * clickRefs.clickRef → domain, clickRefs.clickRef2 → clickId,
 * commissionAmount → grossAmount and currency, commissionStatus → status,
 * type → eventType, transactionDate → occurredAt.
 */
export function readAwinReport(text: string, options: ReportOptions): ParsedReport {
  let value: unknown;
  try {
    value = parse(text, null, (numberText) => new JsonNumber(numberText));
  } catch (error) {
    throw new ReportFileError(`The Awin report is not valid JSON: ${(error as Error).message}.`);
  }
  if (!Array.isArray(value)) throw new ReportFileError('The Awin report must be a JSON array of transactions, as the transactions API returns it.');

  const report: ParsedReport = { rows: [], positions: [], errors: [] };
  for (const [index, item] of (value as JsonValue[]).entries()) {
    try {
      report.rows.push(toImportRow(item, options));
      report.positions.push(index);
    } catch (error) {
      if (!(error instanceof RecordError)) throw error;
      report.errors.push({ index, code: 'INVALID_FIELD', message: error.message });
    }
  }
  return report;
}

function toImportRow(item: JsonValue, options: ReportOptions): ImportRow {
  const record = asObject(item, 'transaction');
  const id = scalarText(record.id);
  if (!id) throw new RecordError('id is missing; every Awin transaction has a numeric id');

  const statusText = scalarText(record.commissionStatus) ?? '';
  const status = STATUSES[statusText.toLowerCase()];
  if (!status) throw new RecordError(`transaction ${id}: commissionStatus "${statusText.slice(0, 20)}" is invalid; expected pending, approved, declined or deleted`);

  const typeText = scalarText(record.type) ?? 'Sale';
  const eventType = TYPES[typeText.toLowerCase()];
  if (!eventType) throw new RecordError(`transaction ${id}: type "${typeText.slice(0, 40)}" is not a sale, lead or bonus`);

  const commission = asObject(record.commissionAmount ?? null, `transaction ${id}: commissionAmount`);
  const amount = scalarText(commission.amount);
  if (!amount) throw new RecordError(`transaction ${id}: commissionAmount.amount is missing`);

  const clickRefs = record.clickRefs && typeof record.clickRefs === 'object' && !Array.isArray(record.clickRefs) && !(record.clickRefs instanceof JsonNumber)
    ? record.clickRefs
    : {};
  const domain = scalarText(clickRefs.clickRef);
  if (!domain) throw new RecordError(`transaction ${id}: clickRefs.clickRef is missing; the ledger reads the domain from it`);
  // TODO: resolve numeric domain ids in clickRef, as the Awin postback route does.
  if (/^\d+$/.test(domain)) throw new RecordError(`transaction ${id}: clickRef "${domain}" is a numeric domain id; report imports need the domain name in clickRef`);

  const dateText = scalarText(record.transactionDate);
  const occurredAt = dateText ? parseReportTime(dateText, options.timeZone) : undefined;
  if (dateText && !occurredAt) throw new RecordError(`transaction ${id}: transactionDate "${dateText.slice(0, 40)}" is not an ISO 8601 time`);

  return {
    domain,
    eventType,
    partner: options.partner,
    transactionId: id,
    clickId: scalarText(clickRefs.clickRef2),
    grossAmount: amount,
    currency: scalarText(commission.currency),
    status,
    occurredAt,
  };
}

function asObject(value: JsonValue | undefined, label: string): Record<string, JsonValue> {
  if (value === null || value === undefined || typeof value !== 'object' || Array.isArray(value) || value instanceof JsonNumber) {
    throw new RecordError(`${label} must be a JSON object`);
  }
  return value;
}

/** Returns a string or number as text, keeping a number's exact digits; anything else is undefined. */
function scalarText(value: JsonValue | undefined): string | undefined {
  if (value instanceof JsonNumber) return value.text;
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  return undefined;
}
