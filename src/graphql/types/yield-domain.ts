import { DomainStatus } from '../../generated/prisma/client.js';
import { upsertDomain } from '../../ledger/domains.js';
import { builder } from '../builder.js';
import { LEDGER_ERRORS } from './errors.js';

const DomainStatusEnum = builder.enumType(DomainStatus, { name: 'DomainStatus' });

builder.prismaObject('YieldDomain', {
  description: 'A parked or yield domain that earns commission.',
  fields: (t) => ({
    domain: t.exposeString('name', { description: 'Normalized: lower case, no trailing dot, IDN as punycode.' }),
    userId: t.exposeInt('ownerUserId'),
    status: t.expose('status', { type: DomainStatusEnum }),
    activeRoute: t.exposeString('activeRoute', { nullable: true }),
  }),
});

const UpsertDomainInput = builder.inputType('UpsertDomainInput', {
  fields: (t) => ({
    domain: t.string({ required: true }),
    userId: t.int({ required: true, description: "The owner's user id." }),
    status: t.field({ type: DomainStatusEnum, description: 'Default ACTIVE for a new domain.' }),
    activeRoute: t.string(),
  }),
});

builder.mutationField('upsertDomain', (t) =>
  t.prismaField({
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
);
