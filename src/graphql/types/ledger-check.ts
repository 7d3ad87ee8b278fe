import { checkTotals, type TotalsMismatch } from '../../ledger/invariant-check.js';
import { builder } from '../builder.js';

const TotalsMismatchRef = builder.objectRef<TotalsMismatch>('TotalsMismatch').implement({
  description: 'A stored total that differs from the sum over the transactions.',
  fields: (t) => ({
    domain: t.exposeString('domain'),
    currency: t.exposeString('currency'),
    field: t.exposeString('field'),
    stored: t.exposeString('stored'),
    expected: t.exposeString('expected'),
  }),
});

builder.queryField('totalsMismatches', (t) =>
  t.field({
    type: [TotalsMismatchRef],
    authScopes: { admin: true },
    description: 'Recomputes every total from the transactions; an empty list means the ledger is consistent. Admin key only.',
    resolve: (_root, _args, context) => checkTotals(context.db),
  }),
);
