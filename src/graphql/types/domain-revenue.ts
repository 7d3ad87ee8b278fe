import { domainRevenue, type CurrencyTotal, type DomainRevenue } from '../../ledger/revenue.js';
import { domainRevenueSeries, type RevenuePoint, type RevenueSeries } from '../../ledger/revenue-series.js';
import { rethrowAsUserInputError } from '../user-input-error.js';
import { builder } from '../builder.js';

export const CurrencyTotalRef = builder.objectRef<CurrencyTotal>('CurrencyTotal').implement({
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
    description: 'Revenue of a domain per currency, over all time or for occurredAt in [from, to), of all partners or one.',
    args: {
      domain: t.arg.string({ required: true }),
      from: t.arg({ type: 'DateTime' }),
      to: t.arg({ type: 'DateTime' }),
      partner: t.arg.string({ description: 'Partner slug; counts only its transactions.' }),
    },
    resolve: (_root, args, context) =>
      domainRevenue(context.db, args.domain, args.from ?? undefined, args.to ?? undefined, args.partner ?? undefined),
  }),
);

const SeriesIntervalEnum = builder.enumType('SeriesInterval', { values: ['DAY', 'WEEK', 'MONTH'] as const });

const RevenuePointRef = builder.objectRef<RevenuePoint>('RevenuePoint').implement({
  description: 'Revenue of one time bucket in one currency.',
  fields: (t) => ({
    start: t.expose('start', { type: 'DateTime', description: "Start of the bucket: local midnight in the series' time zone, as UTC." }),
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

const RevenueSeriesRef = builder.objectRef<RevenueSeries>('RevenueSeries').implement({
  fields: (t) => ({
    domain: t.exposeString('domain'),
    interval: t.field({ type: SeriesIntervalEnum, resolve: (series) => series.interval }),
    timezone: t.exposeString('timezone'),
    points: t.field({
      type: [RevenuePointRef],
      description: 'Ordered by start, then currency; every bucket has an entry for each currency of the period, zeros included.',
      resolve: (series) => series.points,
    }),
  }),
});

builder.queryField('domainRevenueSeries', (t) =>
  t.field({
    type: RevenueSeriesRef,
    description: "A domain's revenue per day, week (from Monday) or month for charts, with bucket edges in the given time zone.",
    args: {
      domain: t.arg.string({ required: true }),
      from: t.arg({ type: 'DateTime', required: true }),
      to: t.arg({ type: 'DateTime', required: true, description: 'Exclusive.' }),
      interval: t.arg({ type: SeriesIntervalEnum, required: true }),
      timezone: t.arg.string({ defaultValue: 'UTC', description: 'IANA time zone name such as "Europe/Zurich".' }),
      partner: t.arg.string({ description: 'Partner slug; counts only its transactions.' }),
    },
    resolve: (_root, args, context) =>
      rethrowAsUserInputError(() =>
        domainRevenueSeries(context.db, {
          domain: args.domain,
          from: args.from,
          to: args.to,
          interval: args.interval,
          timezone: args.timezone ?? 'UTC',
          partner: args.partner ?? undefined,
        }),
      ),
  }),
);
