import { upsertPartner } from '../../ledger/partners.js';
import { builder } from '../builder.js';
import { LEDGER_ERRORS } from './errors.js';

builder.prismaNode('Partner', {
  description: 'An affiliate network or advertiser that reports events.',
  id: { field: 'id' },
  fields: (t) => ({
    slug: t.exposeString('slug'),
    name: t.exposeString('name'),
    active: t.exposeBoolean('active'),
    revenueShare: t.expose('revenueShare', { type: 'Decimal', description: "The domain owner's share of the gross, 0 to 1." }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.queryFields((t) => ({
  partners: t.prismaField({
    type: ['Partner'],
    description: 'All partners, by slug.',
    resolve: (query, _root, _args, context) => context.db.partner.findMany({ ...query, orderBy: { slug: 'asc' } }),
  }),
  partner: t.prismaField({
    type: 'Partner',
    nullable: true,
    args: { slug: t.arg.string({ required: true }) },
    resolve: (query, _root, args, context) => context.db.partner.findUnique({ ...query, where: { slug: args.slug.trim().toLowerCase() } }),
  }),
}));

const UpsertPartnerInput = builder.inputType('UpsertPartnerInput', {
  fields: (t) => ({
    slug: t.string({ required: true }),
    name: t.string({ required: true }),
    active: t.boolean(),
    revenueShare: t.field({ type: 'Decimal', description: 'Default 0.70 for a new partner.' }),
  }),
});

builder.mutationField('upsertPartner', (t) =>
  t.prismaField({
    type: 'Partner',
    description: 'Creates a partner or updates the one with this slug.',
    errors: { types: LEDGER_ERRORS },
    args: { input: t.arg({ type: UpsertPartnerInput, required: true }) },
    resolve: (_query, _root, { input }, context) =>
      upsertPartner(context.db, {
        slug: input.slug,
        name: input.name,
        active: input.active ?? undefined,
        revenueShare: input.revenueShare ?? undefined,
      }),
  }),
);
