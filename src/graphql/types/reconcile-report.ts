import type { ImportRow } from '../../ledger/import-batch.js';
import { reconcileReport, type LedgerEntry, type ReconcileMismatch, type ReconcileResult } from '../../ledger/reconcile.js';
import { builder } from '../builder.js';
import { LEDGER_ERRORS } from './errors.js';
import { ImportResultRef, ImportRowInput } from './import-batch.js';
import { EventTypeEnum, TransactionStatusEnum } from './transaction.js';

const ReconcileReportInput = builder.inputType('ReconcileReportInput', {
  fields: (t) => ({
    partner: t.string({ required: true, description: 'Slug of the partner whose report this is; every row must name it.' }),
    rows: t.field({ type: [ImportRowInput], required: true }),
    from: t.field({ type: 'DateTime', required: true, description: 'Start of the period, inclusive.' }),
    to: t.field({ type: 'DateTime', required: true, description: 'End of the period, exclusive.' }),
    apply: t.boolean({ description: 'Import the missing and differing rows under the ledger rules.' }),
  }),
});

const ReportRowRef = builder.objectRef<{ index: number; row: ImportRow }>('ReconcileReportRow').implement({
  description: 'A report row that the ledger does not have.',
  fields: (t) => ({
    index: t.int({ description: 'Zero-based position of the row in the input.', resolve: (entry) => entry.index }),
    partnerTransactionId: t.string({ resolve: (entry) => entry.row.transactionId }),
    domain: t.string({ resolve: (entry) => entry.row.domain }),
    eventType: t.field({ type: EventTypeEnum, resolve: (entry) => entry.row.eventType }),
    status: t.field({ type: TransactionStatusEnum, nullable: true, resolve: (entry) => entry.row.status ?? null }),
    grossAmount: t.field({ type: 'Decimal', resolve: (entry) => entry.row.grossAmount }),
    currency: t.string({ nullable: true, resolve: (entry) => entry.row.currency ?? null }),
  }),
});

const LedgerRowRef = builder.objectRef<LedgerEntry>('ReconcileLedgerRow').implement({
  description: 'A ledger transaction of the partner inside the period that the report does not list.',
  fields: (t) => ({
    transactionId: t.exposeInt('id', { description: 'The integer id the REST routes return.' }),
    partnerTransactionId: t.exposeString('transactionId'),
    domain: t.exposeString('domain'),
    eventType: t.field({ type: EventTypeEnum, resolve: (entry) => entry.eventType }),
    status: t.field({ type: TransactionStatusEnum, resolve: (entry) => entry.status }),
    grossAmount: t.field({ type: 'Decimal', resolve: (entry) => entry.grossAmount }),
    currency: t.exposeString('currency'),
    occurredAt: t.field({ type: 'DateTime', resolve: (entry) => entry.occurredAt }),
  }),
});

const MismatchRef = builder.objectRef<ReconcileMismatch>('ReconcileMismatch').implement({
  description: 'A report row that differs from the ledger in one field.',
  fields: (t) => ({
    index: t.exposeInt('index', { description: 'Zero-based position of the row in the input.' }),
    transactionId: t.exposeInt('id', { description: 'The integer id of the ledger transaction.' }),
    partnerTransactionId: t.exposeString('transactionId'),
    field: t.exposeString('field', { description: 'status, grossAmount, currency, domain or eventType.' }),
    ledger: t.exposeString('ledger'),
    report: t.exposeString('report'),
  }),
});

const ReconcileResultRef = builder.objectRef<ReconcileResult>('ReconcileResult').implement({
  fields: (t) => ({
    matched: t.exposeInt('matched'),
    outsidePeriod: t.exposeInt('outsidePeriod'),
    missingFromLedger: t.field({ type: [ReportRowRef], resolve: (result) => result.missingFromLedger }),
    missingFromReport: t.field({ type: [LedgerRowRef], resolve: (result) => result.missingFromReport }),
    mismatches: t.field({ type: [MismatchRef], resolve: (result) => result.mismatches }),
    applied: t.field({ type: ImportResultRef, nullable: true, resolve: (result) => result.applied ?? null }),
  }),
});

builder.mutationField('reconcileReport', (t) =>
  t.field({
    type: ReconcileResultRef,
    description: 'Compares report rows with the ledger for a partner and period; with apply, imports the missing and differing rows.',
    errors: { types: LEDGER_ERRORS },
    args: { input: t.arg({ type: ReconcileReportInput, required: true }) },
    resolve: (_root, { input }, context) =>
      reconcileReport(context.db, input.rows, { partner: input.partner, from: input.from, to: input.to, apply: input.apply ?? false }),
  }),
);
