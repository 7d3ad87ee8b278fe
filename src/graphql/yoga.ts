import { createYoga } from 'graphql-yoga';

import type { Config } from '../config.js';
import type { Db } from '../ledger/database.js';
import { roleForRequest } from './auth.js';
import type { GraphQLContext } from './builder.js';
import { GRAPHIQL_EXAMPLES } from './graphiql-examples.js';
import { schema } from './schema.js';

/** Creates the GraphQL handler; errors other than typed results are masked. */
export function createGraphQLHandler(config: Config, db: Db) {
  return createYoga<Record<string, unknown>, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // Masking stays on whatever NODE_ENV says: no Prisma message, SQL or
    // stack trace reaches a client.
    maskedErrors: { isDev: false },
    batching: false,
    graphiql: { title: 'yield-ledger', defaultQuery: GRAPHIQL_EXAMPLES, headers: '{"X-Internal-Key": "<your INTERNAL_API_KEY>"}' },
    logging: false,
    context: ({ request }) => ({
      db,
      role: roleForRequest(request.headers, config),
      adminKeyConfigured: Boolean(config.internalApiKey),
    }),
  });
}
