import { costLimitPlugin } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
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
    plugins: [
      // A browser may send a simple GET or form POST to another origin
      // without asking first; requiring a JSON content type or this header
      // makes every such request preflighted, so a foreign page cannot.
      useCSRFPrevention({ requestHeaders: ['x-graphql-yoga-csrf'] }),
      maxTokensPlugin({ n: config.graphqlLimits.maxTokens }),
      maxDepthPlugin({ n: config.graphqlLimits.maxDepth }),
      maxAliasesPlugin({ n: config.graphqlLimits.maxAliases }),
      costLimitPlugin({ maxCost: config.graphqlLimits.maxCost }),
      useGraphQLMetrics(metrics),
    ],
    // The bundled GraphiQL page works without access to a CDN. Its code is
    // about 9 MB, so it is loaded on the first page view, not at start.
    renderGraphiQL: async (options) => (await import('@graphql-yoga/render-graphiql')).renderGraphiQL(options),
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
      memo: new Map(),
    }),
  });
}
