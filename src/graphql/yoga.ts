import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createYoga } from 'graphql-yoga';
import type { Logger } from 'pino';

import type { Config } from '../config.js';
import type { Db } from '../ledger/database.js';
import type { Metrics } from '../metrics.js';
import { roleForRequest } from './auth.js';
import type { GraphQLContext } from './builder.js';
import { GRAPHIQL_EXAMPLES } from './graphiql-examples.js';
import { useGraphQLMetrics } from './metrics-plugin.js';
import { schema } from './schema.js';

/** Creates the GraphQL handler; errors other than typed results are masked. */
export function createGraphQLHandler(config: Config, db: Db, logger: Logger, metrics: Metrics) {
  const log = logger.child({ component: 'graphql' });
  return createYoga<Record<string, unknown>, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // Masking stays on whatever the value of NODE_ENV: no Prisma message, SQL or
    // stack trace reaches a client.
    maskedErrors: { isDev: false },
    batching: false,
    plugins: [useGraphQLMetrics(metrics)],
    // TODO: limit query depth, aliases and cost, and add CSRF prevention for browsers.
    // The bundled GraphiQL page, so it works without access to a CDN.
    renderGraphiQL,
    graphiql: { title: 'yield-ledger', defaultQuery: GRAPHIQL_EXAMPLES, headers: '{"X-Internal-Key": "<your INTERNAL_API_KEY>"}' },
    // Yoga logs each masked error here with its original cause.
    logging: {
      debug: (...args: unknown[]) => log.debug({ details: args }, 'graphql'),
      info: (...args: unknown[]) => log.info({ details: args }, 'graphql'),
      warn: (...args: unknown[]) => log.warn({ details: args }, 'graphql'),
      error: (...args: unknown[]) => log.error({ err: args.find((arg) => arg instanceof Error), details: args.filter((arg) => !(arg instanceof Error)) }, 'graphql error'),
    },
    context: ({ request }) => ({
      db,
      role: roleForRequest(request.headers, config),
      adminKeyConfigured: Boolean(config.internalApiKey),
    }),
  });
}
