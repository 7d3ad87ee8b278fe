import type { TransactionStatus } from '../../generated/prisma/client.js';
import { builder } from '../builder.js';
import { EventTypeEnum, TransactionStatusEnum } from './transaction.js';

const StatusValue = builder.objectRef<{ value: string; status: TransactionStatus }>('QueryStatusValue').implement({
  description: "One of the partner's status values and the ledger status it means.",
  fields: (t) => ({
    value: t.exposeString('value', { description: 'Compared without case.' }),
    status: t.expose('status', { type: TransactionStatusEnum }),
  }),
});

builder.prismaObject('PartnerQueryMapping', {
  description: "Which query parameters of the partner's GET postbacks carry which field.",
  fields: (t) => ({
    eventType: t.expose('eventType', { type: EventTypeEnum, description: 'The event type every GET postback reports.' }),
    transactionId: t.exposeString('transactionIdParam'),
    domain: t.exposeString('domainParam'),
    amount: t.exposeString('amountParam', { nullable: true }),
    currency: t.exposeString('currencyParam', { nullable: true }),
    status: t.exposeString('statusParam', { nullable: true }),
    clickId: t.exposeString('clickIdParam', { nullable: true }),
    statusValues: t.field({
      type: [StatusValue],
      description: 'Empty means the status parameter carries the ledger statuses themselves.',
      resolve: (mapping) =>
        Object.entries(mapping.statusValues as Record<string, TransactionStatus>).map(([value, status]) => ({ value, status })),
    }),
  }),
});

const StatusValueInput = builder.inputType('QueryStatusValueInput', {
  fields: (t) => ({
    value: t.string({ required: true, description: "The partner's value, e.g. approved; compared without case." }),
    status: t.field({ type: TransactionStatusEnum, required: true }),
  }),
});

export const QueryMappingInput = builder.inputType('QueryMappingInput', {
  description: 'Names of the query parameters that carry each field of a GET postback.',
  fields: (t) => ({
    eventType: t.field({ type: EventTypeEnum, description: 'Default SALE.' }),
    transactionId: t.string({ required: true, description: "The parameter with the partner's transaction id, the idempotency key." }),
    domain: t.string({ required: true, description: 'The parameter with the domain name.' }),
    amount: t.string({ description: 'The parameter with the gross commission.' }),
    currency: t.string({ description: 'The parameter with the ISO 4217 currency code; without it new transactions are in CHF.' }),
    status: t.string({ description: 'The parameter with the status.' }),
    clickId: t.string({ description: 'The parameter with the click id to attribute the event to.' }),
    statusValues: t.field({ type: [StatusValueInput], description: "What the partner's status values mean." }),
  }),
});
