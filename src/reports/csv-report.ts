import { parse } from 'csv-parse/sync';

import type { EventType, TransactionStatus } from '../generated/prisma/client.js';
import type { ImportRow } from '../ledger/import-batch.js';
import { ReportFileError, type ParsedReport, type ReportOptions } from './parsed-report.js';
import { parseReportTime } from './report-time.js';

type Field = keyof ImportRow;

// Header names are compared without case, "_", "-" and spaces, so both the
// importBatch names (transactionId) and the batch-import route's names
// (transaction_id, gross_amount, created_at) work.
const COLUMNS: Record<string, Field> = {
  domain: 'domain',
  eventtype: 'eventType',
  partner: 'partner',
  partnerslug: 'partner',
  transactionid: 'transactionId',
  clickid: 'clickId',
  grossamount: 'grossAmount',
  amount: 'grossAmount',
  currency: 'currency',
  status: 'status',
  occurredat: 'occurredAt',
  createdat: 'occurredAt',
};
const REQUIRED: readonly Field[] = ['domain', 'eventType', 'transactionId', 'grossAmount'];
const EVENT_TYPES: Record<string, EventType> = { click: 'CLICK', lead: 'LEAD', sale: 'SALE' };
const STATUSES: Record<string, TransactionStatus> = { pending: 'PENDING', confirmed: 'CONFIRMED', rejected: 'REJECTED', reversed: 'REVERSED' };

class RecordError extends Error {}

/**
 * Reads a CSV report: a header row naming the importBatch row fields, then
 * one transaction per row. The partner column may be left out; when present
 * it must name the partner the import is for.
 */
export function readCsvReport(text: string, options: ReportOptions): ParsedReport {
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, trim: true, relax_column_count: false });
  } catch (error) {
    throw new ReportFileError(`The CSV file is malformed: ${(error as Error).message}`);
  }
  const [header, ...data] = records;
  if (!header) throw new ReportFileError('The CSV file is empty; it needs a header row naming the columns.');

  const fields = header.map((name) => {
    const field = COLUMNS[name.toLowerCase().replace(/[\s_-]/g, '')];
    if (!field) throw new ReportFileError(`CSV column "${name}" is unknown; use ${[...new Set(Object.values(COLUMNS))].join(', ')}.`);
    return field;
  });
  const missing = REQUIRED.filter((field) => !fields.includes(field));
  if (missing.length > 0) throw new ReportFileError(`The CSV header lacks the required column(s) ${missing.join(', ')}.`);

  const report: ParsedReport = { rows: [], positions: [], errors: [] };
  for (const [index, record] of data.entries()) {
    try {
      const values = new Map(fields.map((field, column) => [field, record[column] ?? '']));
      report.rows.push(toImportRow(values, options));
      report.positions.push(index);
    } catch (error) {
      if (!(error instanceof RecordError)) throw error;
      report.errors.push({ index, code: 'INVALID_FIELD', message: error.message });
    }
  }
  return report;
}

function toImportRow(values: Map<Field, string>, options: ReportOptions): ImportRow {
  const text = (field: Field) => values.get(field) || undefined;

  const partner = text('partner');
  if (partner !== undefined && partner !== options.partner) {
    throw new RecordError(`partner "${partner.slice(0, 64)}" differs from the partner "${options.partner}" this import is for; import each partner's rows separately`);
  }
  const eventTypeText = text('eventType') ?? '';
  const eventType = EVENT_TYPES[eventTypeText.toLowerCase()];
  if (!eventType) throw new RecordError(`eventType "${eventTypeText.slice(0, 20)}" is invalid; use click, lead or sale`);

  const statusText = text('status');
  const status = statusText === undefined ? undefined : STATUSES[statusText.toLowerCase()];
  if (statusText !== undefined && !status) throw new RecordError(`status "${statusText.slice(0, 20)}" is invalid; use pending, confirmed, rejected or reversed`);

  const occurredAtText = text('occurredAt');
  const occurredAt = occurredAtText === undefined ? undefined : parseReportTime(occurredAtText, options.timeZone);
  if (occurredAtText !== undefined && !occurredAt) {
    throw new RecordError(`occurredAt "${occurredAtText.slice(0, 40)}" is not an ISO 8601 date or time such as 2026-11-28T14:05:09Z`);
  }

  return {
    domain: text('domain') ?? '',
    eventType,
    partner: options.partner,
    transactionId: text('transactionId') ?? '',
    clickId: text('clickId'),
    grossAmount: text('grossAmount') ?? '',
    currency: text('currency'),
    status,
    occurredAt,
  };
}
