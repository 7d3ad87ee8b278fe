import { randomUUID } from 'node:crypto';

import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono, type Context } from 'hono';
import { routePath } from 'hono/route';
import type { Logger } from 'pino';

import type { Config } from './config.js';
import type { Database } from './db/client.js';
import { pendingMigrations } from './db/migrate.js';
import { createGraphQLHandler } from './graphql/yoga.js';
import { InFlightRequests } from './in-flight-requests.js';
import type { Metrics } from './metrics.js';
import { handleBatchImportRoute, handleConfirmRoute } from './webhooks/admin-routes.js';
import { parseAwinPostback } from './webhooks/awin-postback.js';
import { parseAwinPushForm, parseAwinTransactionPush } from './webhooks/awin-transaction-push.js';
import { parseGenericPostback } from './webhooks/generic-postback.js';
import { handlePostback, type PostbackFormat } from './webhooks/postback-handler.js';
import { parseQueryPostback } from './webhooks/query-postback.js';
import { problemResponse, toProblem, WebhookError } from './webhooks/problem.js';
import { readRawBody } from './webhooks/raw-body.js';

export interface AppDependencies {
  config: Config;
  database: Database;
  logger: Logger;
  metrics: Metrics;
  /** Counts open requests so shutdown can wait for them. */
  inFlight?: InFlightRequests;
  /** Returns true once shutdown has begun; from then on /readyz returns 503 so load balancers stop sending. */
  isShuttingDown?: () => boolean;
  /** The clock for signature timestamps; tests move it. */
  now?: () => Date;
}

// Probes and scrapes arrive every few seconds; their access log lines are debug level.
const PROBE_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

type Env = { Variables: { requestId: string; log: Logger } };

const GENERIC_FORMAT: PostbackFormat = {
  route: '/yield-webhooks/{partnerSlug}',
  content: 'json',
  signatureHeader: 'x-webhook-signature',
  parse: parseGenericPostback,
};

const AWIN_FORMAT: PostbackFormat = {
  route: '/yield-webhooks/awin/postback',
  content: 'json',
  signatureHeader: 'x-awin-signature',
  parse: parseAwinPostback,
};

const AWIN_PUSH_FORM_FORMAT: PostbackFormat = {
  route: '/yield-webhooks/{partnerSlug}/awin-push',
  content: 'form',
  signatureHeader: 'x-webhook-signature',
  parse: parseAwinPushForm,
};

const AWIN_PUSH_QUERY_FORMAT: PostbackFormat = {
  route: '/yield-webhooks/{partnerSlug}/awin-push',
  content: 'query',
  signatureHeader: 'x-webhook-signature',
  parse: parseAwinTransactionPush,
};

const QUERY_FORMAT: PostbackFormat = {
  route: '/yield-webhooks/{partnerSlug}/query',
  content: 'query',
  signatureHeader: 'x-webhook-signature',
  parse: (fields, partner) => parseQueryPostback(fields, partner.slug, partner.queryMapping),
};

/** Builds the HTTP application: postback routes, admin routes, GraphQL and health checks. */
export function createApp(dependencies: AppDependencies): Hono<Env> {
  const { config, database, logger, metrics, now = () => new Date() } = dependencies;
  const inFlight = dependencies.inFlight ?? new InFlightRequests();
  const isShuttingDown = dependencies.isShuttingDown ?? (() => false);
  const db = database.prisma;
  const yoga = createGraphQLHandler(config, db, logger, metrics);
  const app = new Hono<Env>();
  const postbackDeps = { config, db, now, metrics };

  app.use('*', async (c, next) => {
    const started = performance.now();
    const callerRequestId = c.req.header('x-request-id');
    const requestId = callerRequestId && /^[\x21-\x7e]{1,128}$/.test(callerRequestId) ? callerRequestId : randomUUID();
    const log = logger.child({ requestId });
    c.set('requestId', requestId);
    c.set('log', log);

    inFlight.start();
    metrics.httpRequestsInFlight.inc();
    try {
      await next();
    } finally {
      inFlight.finish();
      metrics.httpRequestsInFlight.dec();
    }
    c.res.headers.set('x-request-id', requestId);

    // After next() the route index points at the handler that sent the response. The
    // pattern '*' or '/*' means that only this middleware matched.
    const matched = routePath(c);
    const route = matched === '*' || matched === '/*' ? 'unmatched' : matched;
    const status = c.res.status;
    const seconds = (performance.now() - started) / 1000;
    metrics.httpRequestDuration.observe({ method: c.req.method, route, status: String(status) }, seconds);
    let level: 'debug' | 'info' | 'warn' = status >= 500 ? 'warn' : 'info';
    if (PROBE_PATHS.has(c.req.path)) level = 'debug';
    log[level]({ method: c.req.method, path: c.req.path.slice(0, 200), status, durationMs: Math.round(seconds * 1000) }, 'request completed');
  });

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/metrics', async (c) => c.body(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType }));
  app.get('/readyz', async (c) => {
    if (isShuttingDown()) return c.json({ status: 'shutting down' }, 503);
    try {
      const session = await database.sqlSession();
      try {
        const pending = await pendingMigrations(session);
        if (pending.length > 0) return c.json({ status: 'migrations pending', pending }, 503);
      } finally {
        await session.release();
      }
      return c.json({ status: 'ready' });
    } catch (error) {
      c.get('log').warn({ err: error }, 'readiness check failed');
      return c.json({ status: 'database unavailable' }, 503);
    }
  });

  const postback = (format: PostbackFormat, c: Context<Env>, partnerSlug = c.req.param('partnerSlug') ?? '') => {
    // Hono serves HEAD with the GET handler; a link checker's HEAD must not record a postback.
    if (c.req.method === 'HEAD') throw new WebhookError(405, 'HEAD is not allowed here; send the postback with GET.');
    return handlePostback(postbackDeps, format, {
      request: c.req.raw,
      partnerSlug,
      pathToken: c.req.param('token'),
      remoteAddress: getConnInfo(c).remote.address,
      requestId: c.get('requestId'),
      log: c.get('log'),
    });
  };

  app.post('/yield-webhooks/awin/postback', (c) => postback(AWIN_FORMAT, c, 'awin'));
  app.post('/yield-webhooks/confirm/:transactionId', (c) => handleConfirmRoute(config, db, c.req.raw, c.req.param('transactionId')));
  app.post('/yield-webhooks/batch-import', (c) => handleBatchImportRoute(config, db, c.req.raw));
  app.post('/yield-webhooks/:partnerSlug', (c) => postback(GENERIC_FORMAT, c));
  for (const path of ['/yield-webhooks/:partnerSlug/awin-push', '/yield-webhooks/:partnerSlug/awin-push/:token']) {
    app.post(path, (c) => postback(AWIN_PUSH_FORM_FORMAT, c));
    app.get(path, (c) => postback(AWIN_PUSH_QUERY_FORMAT, c));
  }
  for (const path of ['/yield-webhooks/:partnerSlug/query', '/yield-webhooks/:partnerSlug/query/:token']) {
    app.get(path, (c) => postback(QUERY_FORMAT, c));
  }
  app.all('/yield-webhooks/*', (c) =>
    problemResponse(
      toProblem(new WebhookError(405, `${c.req.method} is not allowed here; postbacks use POST, and GET only on the awin-push and query routes.`)),
      c.get('requestId'),
    ),
  );

  app.on(['GET', 'POST', 'OPTIONS'], '/graphql', async (c) => {
    let request = c.req.raw;
    if (request.method === 'POST') {
      const body = await readRawBody(request, config.graphqlBodyLimitBytes);
      request = new Request(request.url, { method: 'POST', headers: request.headers, body: body as Uint8Array<ArrayBuffer> });
    }
    return yoga.fetch(request, {});
  });

  app.notFound((c) => problemResponse(toProblem(new WebhookError(404, `No route for ${c.req.method} ${c.req.path}.`)), c.get('requestId')));
  app.onError((error, c) => {
    const problem = toProblem(error);
    if (problem.internal) c.get('log').error({ err: error }, 'request failed');
    return problemResponse(problem, c.get('requestId'));
  });
  return app;
}
