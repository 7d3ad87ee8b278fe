import type { Prisma } from '../../generated/prisma/client.js';
import { builder } from '../builder.js';

builder.prismaNode('WebhookDelivery', {
  description: 'One request to a postback route, accepted or rejected. Holds no body, secret or signature.',
  id: { field: 'id' },
  fields: (t) => ({
    partner: t.exposeString('partnerSlug', { nullable: true, description: 'The partner slug from the URL, also when no such partner exists.' }),
    route: t.exposeString('route'),
    receivedAt: t.expose('receivedAt', { type: 'DateTime' }),
    httpStatus: t.exposeInt('httpStatus'),
    outcome: t.exposeString('outcome', { description: 'created, updated, duplicate, stale or rejected.' }),
    reason: t.exposeString('reason', { nullable: true, description: 'Why it was rejected, or what it changed.' }),
    bodySha256: t.exposeString('bodySha256', { nullable: true, description: 'SHA-256 of the body in hex; null when the body was too large to read.' }),
    webhookId: t.exposeString('webhookId', { nullable: true }),
    requestId: t.exposeString('requestId', { nullable: true, description: 'The x-request-id of the response, to find the log lines.' }),
    transaction: t.relation('transaction', { nullable: true }),
  }),
});

const WebhookDeliveryFilter = builder.inputType('WebhookDeliveryFilter', {
  fields: (t) => ({
    partner: t.string({ description: 'Partner slug as it appeared in the URL.' }),
    rejected: t.boolean({ description: 'True: only rejected requests. False: only accepted ones.' }),
    httpStatus: t.int(),
    from: t.field({ type: 'DateTime', description: 'Earliest receivedAt, inclusive.' }),
    to: t.field({ type: 'DateTime', description: 'Latest receivedAt, exclusive.' }),
  }),
});

function whereForFilter(filter: typeof WebhookDeliveryFilter.$inferInput | null | undefined): Prisma.WebhookDeliveryWhereInput {
  if (!filter) return {};
  const conditions: Prisma.WebhookDeliveryWhereInput[] = [];
  if (filter.partner) conditions.push({ partnerSlug: filter.partner.trim().toLowerCase() });
  if (filter.rejected === true) conditions.push({ httpStatus: { not: 200 } });
  if (filter.rejected === false) conditions.push({ httpStatus: 200 });
  if (typeof filter.httpStatus === 'number') conditions.push({ httpStatus: filter.httpStatus });
  if (filter.from) conditions.push({ receivedAt: { gte: filter.from } });
  if (filter.to) conditions.push({ receivedAt: { lt: filter.to } });
  return { AND: conditions };
}

builder.queryField('webhookDeliveries', (t) =>
  t.prismaConnection(
    {
      type: 'WebhookDelivery',
      cursor: 'id',
      description: "The delivery log, newest first: why was a partner's postback rejected?",
      args: { filter: t.arg({ type: WebhookDeliveryFilter }) },
      totalCount: (_connection, args, context) => context.db.webhookDelivery.count({ where: whereForFilter(args.filter) }),
      resolve: (query, _root, args, context) =>
        context.db.webhookDelivery.findMany({ ...query, where: whereForFilter(args.filter), orderBy: { id: 'desc' } }),
    },
    { name: 'WebhookDeliveryConnection' },
    { name: 'WebhookDeliveryEdge' },
  ),
);
