import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';

import { builder } from './builder.js';
import './types/scalars.js';
import './types/errors.js';
import './types/transaction.js';
import './types/domain-revenue.js';
import './types/query-mapping.js';
import './types/partner.js';
import './types/yield-domain.js';
import './types/import-batch.js';
import './types/reconcile-report.js';
import './types/ledger-check.js';
import './types/webhook-delivery.js';

builder.queryType({ authScopes: { reader: true } });
builder.mutationType({ authScopes: { admin: true } });

export const schema: GraphQLSchema = builder.toSchema({ sortSchema: true });

/** Prints the schema as committed in schema.graphql. */
export function printSortedSchema(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
