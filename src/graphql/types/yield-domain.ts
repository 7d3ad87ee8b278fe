import { DomainStatus } from '../../generated/prisma/client.js';
import { domainNameForLookup, setDomainStatus, upsertDomain } from '../../ledger/domains.js';
import { toCurrencyTotal } from '../../ledger/revenue.js';
import { builder } from '../builder.js';
import { CurrencyTotalRef } from './domain-revenue.js';
import { LEDGER_ERRORS } from './errors.js';

const DomainStatusEnum = builder.enumType(DomainStatus, { name: 'DomainStatus' });

builder.prismaNode('YieldDomain', {
  description: 'A parked or yield domain that earns commission.',
  id: { field: 'id' },
  fields: (t) => ({
    domain: t.exposeString('name', { description: 'Normalized: lower case, no trailing dot, IDN as punycode.' }),
    userId: t.exposeInt('ownerUserId'),
    status: t.expose('status', { type: DomainStatusEnum }),
    activeRoute: t.exposeString('activeRoute', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    totals: t.field({
      type: [CurrencyTotalRef],
      description: 'All-time totals per currency, as domainRevenue returns them.',
      select: { totals: { orderBy: { currency: 'asc' } } },
      resolve: (domain) => domain.totals.map(toCurrencyTotal),
    }),
  }),
});

builder.queryFields((t) => ({
  domains: t.prismaConnection(
    {
      type: 'YieldDomain',
      cursor: 'id',
      description: 'Domains by name.',
      args: { status: t.arg({ type: DomainStatusEnum }), userId: t.arg.int() },
      totalCount: (_connection, args, context) =>
        context.db.yieldDomain.count({ where: { status: args.status ?? undefined, ownerUserId: args.userId ?? undefined } }),
      resolve: (query, _root, args, context) =>
        context.db.yieldDomain.findMany({
          ...query,
          where: { status: args.status ?? undefined, ownerUserId: args.userId ?? undefined },
          orderBy: [{ name: 'asc' }, { id: 'asc' }],
        }),
    },
    { name: 'YieldDomainConnection' },
    { name: 'YieldDomainEdge' },
  ),
  domain: t.prismaField({
    type: 'YieldDomain',
    nullable: true,
    description: 'One domain by name, in any spelling.',
    args: { domain: t.arg.string({ required: true }) },
    resolve: (query, _root, args, context) => context.db.yieldDomain.findUnique({ ...query, where: { name: domainNameForLookup(args.domain) } }),
  }),
}));

const UpsertDomainInput = builder.inputType('UpsertDomainInput', {
  fields: (t) => ({
    domain: t.string({ required: true }),
    userId: t.int({ required: true, description: "The owner's user id." }),
    status: t.field({ type: DomainStatusEnum, description: 'Default ACTIVE for a new domain.' }),
    activeRoute: t.string(),
  }),
});

builder.mutationFields((t) => ({
  upsertDomain: t.prismaField({
    type: 'YieldDomain',
    description: 'Creates a domain or updates the one with this normalized name.',
    errors: { types: LEDGER_ERRORS },
    args: { input: t.arg({ type: UpsertDomainInput, required: true }) },
    resolve: (_query, _root, { input }, context) =>
      upsertDomain(context.db, {
        domain: input.domain,
        userId: input.userId,
        status: input.status ?? undefined,
        activeRoute: input.activeRoute,
      }),
  }),
  setDomainStatus: t.prismaField({
    type: 'YieldDomain',
    description: 'Pauses, suspends or reactivates a domain. Only an ACTIVE domain takes new events.',
    errors: { types: LEDGER_ERRORS },
    args: { domain: t.arg.string({ required: true }), status: t.arg({ type: DomainStatusEnum, required: true }) },
    resolve: (_query, _root, args, context) => setDomainStatus(context.db, args.domain, args.status),
  }),
}));
