import type { Config } from '../config.js';
import { confirmTransaction } from '../ledger/admin-actions.js';
import type { Db } from '../ledger/database.js';
import { LedgerError, NotFoundError, ValidationError } from '../ledger/errors.js';
import { importBatch, type ImportRow, type ImportRowError } from '../ledger/import-batch.js';
import { roleForRequest } from '../graphql/auth.js';
import { FieldReader } from './fields.js';
import { JsonNumber, parseJsonObject, type JsonObject } from './json-body.js';
import { WebhookError } from './problem.js';
import { readRawBody } from './raw-body.js';

const EVENT_TYPES = { click: 'CLICK', lead: 'LEAD', sale: 'SALE' } as const;
const STATUSES = { pending: 'PENDING', confirmed: 'CONFIRMED', rejected: 'REJECTED', reversed: 'REVERSED' } as const;

function requireAdmin(request: Request, config: Config): void {
  if (!config.internalApiKey) throw new WebhookError(503, 'Admin routes are disabled because the server has no INTERNAL_API_KEY configured.');
  if (roleForRequest(request.headers, config) !== 'admin') throw new WebhookError(401, 'X-Internal-Key is missing or wrong.');
}

/** POST /yield-webhooks/confirm/{transactionId}: the old system's confirm route. */
export async function handleConfirmRoute(config: Config, db: Db, request: Request, idText: string): Promise<Response> {
  requireAdmin(request, config);
  if (!/^\d{1,10}$/.test(idText) || Number(idText) > 2 ** 31 - 1) throw new NotFoundError(`Transaction ${idText.slice(0, 40)} not found.`);

  const id = Number(idText);
  const outcome = await confirmTransaction(db, id, { requirePending: true });
  return Response.json({ success: true, transaction_id: id, message: outcome.message });
}

/** POST /yield-webhooks/batch-import: the old system's import route, on the importBatch code path. */
export async function handleBatchImportRoute(config: Config, db: Db, request: Request): Promise<Response> {
  requireAdmin(request, config);
  const body = parseJsonObject(await readRawBody(request, config.graphqlBodyLimitBytes));
  const list = body.transactions;
  if (!Array.isArray(list)) {
    throw new ValidationError('transactions', 'transactions must be an array of rows');
  }

  const rows: ImportRow[] = [];
  const positions: number[] = [];
  const errors: ImportRowError[] = [];
  for (const [index, item] of list.entries()) {
    try {
      rows.push(toImportRow(item));
      positions.push(index);
    } catch (error) {
      if (!(error instanceof LedgerError)) throw error;
      errors.push({ index, code: error.code, message: error.message });
    }
  }

  const result = await importBatch(db, rows);
  const rowErrors = result.errors.map((error) => ({ ...error, index: positions[error.index]! }));
  return Response.json({
    success: errors.length + rowErrors.length === 0,
    imported: result.imported,
    updated: result.updated,
    skipped: result.skipped,
    errors: [...errors, ...rowErrors].sort((a, b) => a.index - b.index),
  });
}

function toImportRow(item: unknown): ImportRow {
  if (item === null || typeof item !== 'object' || Array.isArray(item) || item instanceof JsonNumber) {
    throw new ValidationError('transactions', 'each row must be a JSON object');
  }
  const fields = new FieldReader(item as JsonObject);
  const amount = (item as JsonObject).gross_amount;
  return {
    domain: fields.required('domain', fields.text('domain', 300)),
    eventType: fields.required('event_type', fields.oneOf('event_type', EVENT_TYPES)),
    partner: fields.required('partner_slug', fields.text('partner_slug', 64)),
    transactionId: fields.required('transaction_id', fields.identifier('transaction_id', 128)),
    clickId: fields.identifier('click_id', 64),
    grossAmount: amount instanceof JsonNumber ? amount.text : fields.required('gross_amount', fields.text('gross_amount', 40)),
    currency: fields.text('currency', 16),
    status: fields.oneOf('status', STATUSES),
    occurredAt: fields.timestamp('created_at'),
  };
}
