import { decodeGlobalID } from '@pothos/plugin-relay';

import { ChangeSource, EventType, TransactionStatus, type Prisma } from '../../generated/prisma/client.js';
import { confirmTransaction, rejectTransaction, reverseTransaction } from '../../ledger/admin-actions.js';
import { domainNameForLookup } from '../../ledger/domains.js';
import { NotFoundError } from '../../ledger/errors.js';
import type { Db } from '../../ledger/database.js';
import { builder, type GraphQLContext } from '../builder.js';
import { LEDGER_ERRORS } from './errors.js';

export const EventTypeEnum = builder.enumType(EventType, { name: 'EventType' });
export const TransactionStatusEnum = builder.enumType(TransactionStatus, { name: 'TransactionStatus' });
export const ChangeSourceEnum = builder.enumType(ChangeSource, { name: 'ChangeSource' });

export const TransactionNode = builder.prismaNode('Transaction', {
  description: 'The ledger row for one click, lead or sale.',
  id: { field: 'id' },
  fields: (t) => ({
    transactionId: t.exposeInt('id', { description: 'The integer id that the REST routes return.' }),
    domain: t.string({ select: { domain: { select: { name: true } } }, resolve: (row) => row.domain.name }),
    partner: t.string({ select: { partner: { select: { slug: true } } }, resolve: (row) => row.partner.slug }),
    eventType: t.expose('eventType', { type: EventTypeEnum }),
    status: t.expose('status', { type: TransactionStatusEnum }),
    partnerTransactionId: t.exposeString('partnerTransactionId', { nullable: true }),
    clickId: t.exposeString('clickId', { nullable: true }),
    grossAmount: t.expose('grossAmount', { type: 'Decimal' }),
    netAmount: t.expose('netAmount', { type: 'Decimal' }),
    revenueShare: t.expose('revenueShare', { type: 'Decimal', description: "The partner's share when the transaction was created." }),
    currency: t.exposeString('currency'),
    occurredAt: t.expose('occurredAt', { type: 'DateTime', description: 'When the event happened according to the partner, or the receipt time when the partner sent none.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the ledger recorded it.' }),
    confirmedAt: t.expose('confirmedAt', { type: 'DateTime', nullable: true }),
    attributedClick: t.relation('attributedTo', { nullable: true, description: 'The click a lead or sale is attributed to.' }),
    yieldDomain: t.relation('domain', { description: 'The domain as an object, with its status and owner.' }),
    partnerDetails: t.relation('partner', { description: 'The partner as an object, with its revenue share.' }),
    history: t.relation('changes', { query: { orderBy: { id: 'asc' } }, description: 'Every change of status or amount, oldest first.' }),
  }),
});

builder.prismaObject('TransactionChange', {
  description: "One change of a transaction's status or amount, or an ignored stale update.",
  fields: (t) => ({
    source: t.expose('source', { type: ChangeSourceEnum }),
    actor: t.exposeString('actor'),
    oldStatus: t.expose('oldStatus', { type: TransactionStatusEnum, nullable: true }),
    newStatus: t.expose('newStatus', { type: TransactionStatusEnum }),
    oldGrossAmount: t.expose('oldGrossAmount', { type: 'Decimal', nullable: true }),
    newGrossAmount: t.expose('newGrossAmount', { type: 'Decimal' }),
    oldNetAmount: t.expose('oldNetAmount', { type: 'Decimal', nullable: true }),
    newNetAmount: t.expose('newNetAmount', { type: 'Decimal' }),
    applied: t.exposeBoolean('applied', { description: 'False for a stale update that was recorded but not applied.' }),
    note: t.exposeString('note', { nullable: true }),
    deliveryId: t.exposeInt('deliveryId', { nullable: true, description: 'The webhook delivery the change came with.' }),
    delivery: t.relation('delivery', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const TransactionFilter = builder.inputType('TransactionFilter', {
  fields: (t) => ({
    domain: t.string(),
    partner: t.string(),
    status: t.field({ type: TransactionStatusEnum }),
    eventType: t.field({ type: EventTypeEnum }),
    from: t.field({ type: 'DateTime', description: 'Earliest occurredAt, inclusive.' }),
    to: t.field({ type: 'DateTime', description: 'Latest occurredAt, exclusive.' }),
    currency: t.field({ type: 'CurrencyCode' }),
    unattributed: t.boolean({ description: 'True: only leads and sales whose click_id matched no click on their domain.' }),
  }),
});

const TransactionOrder = builder.enumType('TransactionOrder', {
  description: 'Sort order of transaction lists; the id breaks ties, so paging is stable.',
  values: {
    OCCURRED_AT_DESC: { description: 'Newest first by (occurredAt, id); the default.' },
    OCCURRED_AT_ASC: { description: 'Oldest first by (occurredAt, id).' },
  } as const,
});

type Filter = typeof TransactionFilter.$inferInput;

/**
 * Builds the Prisma filter. Domain and partner are resolved to their ids
 * first: a filter on the foreign key can use the (domain_id, occurred_at)
 * index, where a filter through the relation made PostgreSQL scan the table.
 */
async function whereForFilter(db: Db, filter: Filter | null | undefined): Promise<Prisma.TransactionWhereInput> {
  if (!filter) return {};
  const conditions: Prisma.TransactionWhereInput[] = [];
  if (filter.domain) {
    const domain = await db.yieldDomain.findUnique({ where: { name: domainNameForLookup(filter.domain) }, select: { id: true } });
    conditions.push({ domainId: domain?.id ?? NO_ROW });
  }
  if (filter.partner) {
    const partner = await db.partner.findUnique({ where: { slug: filter.partner.trim().toLowerCase() }, select: { id: true } });
    conditions.push({ partnerId: partner?.id ?? NO_ROW });
  }
  if (filter.status) conditions.push({ status: filter.status });
  if (filter.eventType) conditions.push({ eventType: filter.eventType });
  if (filter.currency) conditions.push({ currency: filter.currency });
  if (filter.from) conditions.push({ occurredAt: { gte: filter.from } });
  if (filter.to) conditions.push({ occurredAt: { lt: filter.to } });
  if (filter.unattributed) conditions.push({ eventType: { not: 'CLICK' }, clickId: { not: null }, attributedClickId: null });
  return { AND: conditions };
}

/** Builds the filter once per request, since the page and its totalCount both need it. */
function cachedWhere(context: GraphQLContext, filter: Filter | null | undefined): Promise<Prisma.TransactionWhereInput> {
  const key = `transactions:${JSON.stringify(filter ?? null)}`;
  let where = context.memo.get(key) as Promise<Prisma.TransactionWhereInput> | undefined;
  if (!where) {
    where = whereForFilter(context.db, filter);
    context.memo.set(key, where);
  }
  return where;
}

// Ids start at 1, so an unknown domain or partner matches no transaction.
const NO_ROW = 0;

/** Reads a transaction id given as a Relay global id or as the plain integer. */
export function parseTransactionId(id: string | number): number | undefined {
  const text = String(id).trim();
  if (/^\d{1,10}$/.test(text)) return Number(text) <= 2 ** 31 - 1 ? Number(text) : undefined;
  try {
    const decoded = decodeGlobalID(text);
    if (decoded.typename === 'Transaction' && /^\d{1,10}$/.test(decoded.id)) return Number(decoded.id);
  } catch {
    return undefined;
  }
  return undefined;
}

builder.queryFields((t) => ({
  transaction: t.prismaField({
    type: 'Transaction',
    nullable: true,
    description: 'One transaction by Relay id or by its integer transactionId.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, args, context) => {
      const id = parseTransactionId(args.id);
      if (id === undefined) return null;
      return context.db.transaction.findUnique({ ...query, where: { id } });
    },
  }),
  transactions: t.prismaConnection(
    {
      type: 'Transaction',
      cursor: 'id',
      description: 'Transactions, newest first by (occurredAt, id) unless orderBy asks for oldest first.',
      args: { filter: t.arg({ type: TransactionFilter }), orderBy: t.arg({ type: TransactionOrder }) },
      totalCount: async (_connection, args, context) => context.db.transaction.count({ where: await cachedWhere(context, args.filter) }),
      resolve: async (query, _root, args, context) =>
        context.db.transaction.findMany({
          ...query,
          where: await cachedWhere(context, args.filter),
          orderBy: args.orderBy === 'OCCURRED_AT_ASC' ? [{ occurredAt: 'asc' }, { id: 'asc' }] : [{ occurredAt: 'desc' }, { id: 'desc' }],
        }),
    },
    { name: 'TransactionConnection' },
    { name: 'TransactionEdge' },
  ),
}));

function requireTransactionId(id: string | number): number {
  const parsed = parseTransactionId(id);
  if (parsed === undefined) throw new NotFoundError(`Transaction ${String(id).slice(0, 40)} not found.`);
  return parsed;
}

builder.mutationFields((t) => ({
  confirmTransaction: t.prismaField({
    type: 'Transaction',
    description: 'Confirms a pending transaction. Confirming a confirmed one returns it unchanged.',
    errors: { types: LEDGER_ERRORS },
    args: { id: t.arg.id({ required: true, description: 'Relay id or the integer transactionId.' }) },
    resolve: async (query, _root, args, context) => {
      const id = requireTransactionId(args.id);
      await confirmTransaction(context.db, id);
      return context.db.transaction.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
  rejectTransaction: t.prismaField({
    type: 'Transaction',
    description: 'Rejects a pending transaction; the reason is kept in its history. Rejecting a rejected one returns it unchanged.',
    errors: { types: LEDGER_ERRORS },
    args: { id: t.arg.id({ required: true }), reason: t.arg.string({ required: true }) },
    resolve: async (query, _root, args, context) => {
      const id = requireTransactionId(args.id);
      await rejectTransaction(context.db, id, args.reason);
      return context.db.transaction.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
  reverseTransaction: t.prismaField({
    type: 'Transaction',
    description: 'Reverses a confirmed transaction (a chargeback or a decline after approval) and takes its revenue back.',
    errors: { types: LEDGER_ERRORS },
    args: { id: t.arg.id({ required: true }), reason: t.arg.string({ required: true }) },
    resolve: async (query, _root, args, context) => {
      const id = requireTransactionId(args.id);
      await reverseTransaction(context.db, id, args.reason);
      return context.db.transaction.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
}));
