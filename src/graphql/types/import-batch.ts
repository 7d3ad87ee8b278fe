import { importBatch, type ImportResult, type ImportRowError } from '../../ledger/import-batch.js';
import { builder } from '../builder.js';
import { LEDGER_ERRORS } from './errors.js';
import { EventTypeEnum, TransactionStatusEnum } from './transaction.js';

export const ImportRowInput = builder.inputType('ImportRowInput', {
  fields: (t) => ({
    domain: t.string({ required: true }),
    eventType: t.field({ type: EventTypeEnum, required: true }),
    partner: t.string({ required: true, description: 'Partner slug.' }),
    transactionId: t.string({ required: true, description: "The partner's transaction id." }),
    clickId: t.string(),
    grossAmount: t.field({ type: 'Decimal', required: true }),
    currency: t.string({ description: 'ISO 4217; default CHF for a new transaction.' }),
    status: t.field({ type: TransactionStatusEnum }),
    occurredAt: t.field({ type: 'DateTime' }),
  }),
});

const ImportBatchInput = builder.inputType('ImportBatchInput', {
  fields: (t) => ({
    rows: t.field({ type: [ImportRowInput], required: true }),
    dryRun: t.boolean({ description: 'Report the same counts and errors without writing.' }),
  }),
});

const ImportRowErrorRef = builder.objectRef<ImportRowError>('ImportRowError').implement({
  fields: (t) => ({
    index: t.exposeInt('index', { description: 'Zero-based position of the row in the input.' }),
    code: t.exposeString('code'),
    message: t.exposeString('message'),
  }),
});

export const ImportResultRef = builder.objectRef<ImportResult>('ImportResult').implement({
  fields: (t) => ({
    imported: t.exposeInt('imported'),
    updated: t.exposeInt('updated'),
    skipped: t.exposeInt('skipped'),
    errors: t.field({ type: [ImportRowErrorRef], resolve: (result) => result.errors }),
  }),
});

builder.mutationField('importBatch', (t) =>
  t.field({
    type: ImportResultRef,
    description: 'Applies the rows of a partner report with the ledger rules, row by row.',
    errors: { types: LEDGER_ERRORS },
    args: { input: t.arg({ type: ImportBatchInput, required: true }) },
    resolve: (_root, { input }, context) => importBatch(context.db, input.rows, { dryRun: input.dryRun ?? false }),
  }),
);
