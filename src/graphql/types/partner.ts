import { acceptedSchemes, AUTH_SCHEMES } from '../../ledger/partner-settings.js';
import { upsertPartner } from '../../ledger/partners.js';
import { builder } from '../builder.js';
import { LEDGER_ERRORS } from './errors.js';
import { QueryMappingInput } from './query-mapping.js';

const AuthScheme = builder.enumType('WebhookAuthScheme', {
  description: 'How a partner proves that a postback comes from it.',
  values: {
    HMAC_HEX: { description: 'Hex HMAC-SHA256 of the raw body in X-Webhook-Signature (X-Awin-Signature on the Awin route).' },
    STANDARD_WEBHOOKS: { description: 'webhook-id, webhook-timestamp and webhook-signature headers; a repeated webhook-id is a duplicate.' },
    URL_TOKEN: { description: 'A long random token in the `token` query parameter or as the last path segment.' },
  } satisfies Record<(typeof AUTH_SCHEMES)[number], unknown>,
});

builder.prismaObject('PartnerUrlToken', {
  description: 'A live URL token. The token itself is never stored or shown, only its SHA-256.',
  fields: (t) => ({
    fingerprint: t.string({
      description: 'The first 12 hex characters of the SHA-256 of the token, to tell tokens apart.',
      resolve: (token) => token.tokenSha256.slice(0, 12),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.prismaNode('Partner', {
  description: 'An affiliate network or advertiser that reports events.',
  id: { field: 'id' },
  fields: (t) => ({
    slug: t.exposeString('slug'),
    name: t.exposeString('name'),
    active: t.exposeBoolean('active'),
    revenueShare: t.expose('revenueShare', { type: 'Decimal', description: "The domain owner's share of the gross, 0 to 1." }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    authSchemes: t.field({
      type: [AuthScheme],
      description: 'The schemes postbacks of this partner may use.',
      select: { acceptHmacHex: true, acceptStandardWebhooks: true, acceptUrlToken: true },
      resolve: (partner) => acceptedSchemes(partner),
    }),
    urlTokens: t.relation('urlTokens', { description: 'The live URL tokens, oldest first.', query: { orderBy: { id: 'asc' } } }),
    allowedSourceIps: t.exposeStringList('allowedSourceIps', { description: 'CIDR ranges postbacks may come from; empty means any.' }),
    rateLimit: t.exposeInt('rateLimit', { nullable: true, description: 'Postbacks per window; null means the server default.' }),
    rateLimitWindowSeconds: t.exposeInt('rateLimitWindowSeconds', { nullable: true, description: 'The window length; null means the server default.' }),
    queryMapping: t.relation('queryMapping', { nullable: true, description: 'How GET postbacks on the query route are read.' }),
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
    authSchemes: t.field({ type: [AuthScheme], description: 'Default HMAC_HEX and STANDARD_WEBHOOKS for a new partner.' }),
    urlTokens: t.stringList({
      description:
        'Every live URL token, 32 to 256 URL-safe characters each; replaces the stored list. During a rotation list the old and the new token.',
    }),
    allowedSourceIps: t.stringList({ description: 'IP addresses or CIDR ranges; an empty list allows any source.' }),
    rateLimit: t.int({ description: 'Postbacks per window; null returns to the server default.' }),
    rateLimitWindowSeconds: t.int({ description: 'The window length in seconds; null returns to the server default.' }),
    queryMapping: t.field({ type: QueryMappingInput, description: 'How GET postbacks are read; null removes the mapping.' }),
  }),
});

builder.mutationField('upsertPartner', (t) =>
  t.prismaField({
    type: 'Partner',
    description: 'Creates a partner or updates the one with this slug. Fields left out keep their value.',
    errors: { types: LEDGER_ERRORS },
    args: { input: t.arg({ type: UpsertPartnerInput, required: true }) },
    resolve: (_query, _root, { input }, context) =>
      upsertPartner(context.db, {
        slug: input.slug,
        name: input.name,
        active: input.active ?? undefined,
        revenueShare: input.revenueShare ?? undefined,
        authSchemes: input.authSchemes ?? undefined,
        urlTokens: input.urlTokens ?? undefined,
        allowedSourceIps: input.allowedSourceIps ?? undefined,
        rateLimit: input.rateLimit,
        rateLimitWindowSeconds: input.rateLimitWindowSeconds,
        queryMapping:
          input.queryMapping &&
          {
            eventType: input.queryMapping.eventType ?? undefined,
            transactionId: input.queryMapping.transactionId,
            domain: input.queryMapping.domain,
            amount: input.queryMapping.amount ?? undefined,
            currency: input.queryMapping.currency ?? undefined,
            status: input.queryMapping.status ?? undefined,
            clickId: input.queryMapping.clickId ?? undefined,
            statusValues: input.queryMapping.statusValues ?? undefined,
          },
      }),
  }),
);
