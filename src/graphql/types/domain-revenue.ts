import { domainRevenue, type CurrencyTotal, type DomainRevenue } from '../../ledger/revenue.js';
import { builder } from '../builder.js';

const CurrencyTotalRef = builder.objectRef<CurrencyTotal>('CurrencyTotal').implement({
  description: 'Revenue of one domain in one currency. Currencies are never added together.',
  fields: (t) => ({
    currency: t.exposeString('currency'),
    confirmedGross: t.expose('confirmedGross', { type: 'Decimal' }),
    confirmedNet: t.expose('confirmedNet', { type: 'Decimal' }),
    pendingGross: t.expose('pendingGross', { type: 'Decimal' }),
    pendingNet: t.expose('pendingNet', { type: 'Decimal' }),
    clicks: t.exposeInt('clicks'),
    leads: t.exposeInt('leads'),
    sales: t.exposeInt('sales'),
  }),
});

const DomainRevenueRef = builder.objectRef<DomainRevenue>('DomainRevenue').implement({
  fields: (t) => ({
    domain: t.exposeString('domain', { description: 'The normalized domain name.' }),
    totals: t.field({ type: [CurrencyTotalRef], resolve: (revenue) => revenue.totals, description: 'One entry per currency seen.' }),
  }),
});

builder.queryField('domainRevenue', (t) =>
  t.field({
    type: DomainRevenueRef,
    description: 'Revenue of a domain per currency, over all time or for occurredAt in [from, to).',
    args: {
      domain: t.arg.string({ required: true }),
      from: t.arg({ type: 'DateTime' }),
      to: t.arg({ type: 'DateTime' }),
    },
    resolve: (_root, args, context) => domainRevenue(context.db, args.domain, args.from ?? undefined, args.to ?? undefined),
  }),
);
