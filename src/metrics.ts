import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

import type { Database } from './db/client.js';

/** The server's Prometheus metrics, in a registry of their own so several servers can share a process. */
export interface Metrics {
  registry: Registry;
  postbacks: Counter<'partner' | 'route' | 'outcome' | 'status'>;
  httpRequestDuration: Histogram<'method' | 'route' | 'status'>;
  httpRequestsInFlight: Gauge;
  graphqlOperations: Counter<'operation'>;
  graphqlErrors: Counter<'code'>;
}

/** Creates the metrics. The database pool gauges read the pool at each scrape. */
export function createMetrics(database: Pick<Database, 'kind' | 'poolStats'>): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const postbacks = new Counter({
    name: 'yield_ledger_postbacks_total',
    help: 'Postbacks by partner, route, outcome (created, updated, duplicate, stale, rejected, failed) and HTTP status.',
    labelNames: ['partner', 'route', 'outcome', 'status'] as const,
    registers: [registry],
  });
  const httpRequestDuration = new Histogram({
    name: 'yield_ledger_http_request_duration_seconds',
    help: 'Time from receiving a request to its response, by method, route pattern and HTTP status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const httpRequestsInFlight = new Gauge({
    name: 'yield_ledger_http_requests_in_flight',
    help: 'Requests being handled right now.',
    registers: [registry],
  });
  const graphqlOperations = new Counter({
    name: 'yield_ledger_graphql_operations_total',
    help: 'Executed GraphQL operations by type (query, mutation, subscription).',
    labelNames: ['operation'] as const,
    registers: [registry],
  });
  const graphqlErrors = new Counter({
    name: 'yield_ledger_graphql_errors_total',
    help: 'GraphQL errors in responses by extensions.code; typed error results are data, not errors, and are not counted.',
    labelNames: ['code'] as const,
    registers: [registry],
  });

  if (database.kind === 'postgresql') registerPoolGauges(registry, database);
  return { registry, postbacks, httpRequestDuration, httpRequestsInFlight, graphqlOperations, graphqlErrors };
}

function registerPoolGauges(registry: Registry, database: Pick<Database, 'poolStats'>): void {
  const gauges = [
    ['yield_ledger_db_pool_connections', 'Open PostgreSQL connections in the pool.', 'total'],
    ['yield_ledger_db_pool_idle_connections', 'Open PostgreSQL connections not checked out.', 'idle'],
    ['yield_ledger_db_pool_waiting_requests', 'Queries waiting for a free PostgreSQL connection.', 'waiting'],
    ['yield_ledger_db_pool_max_connections', 'Largest number of connections the pool opens (DATABASE_POOL_SIZE).', 'max'],
  ] as const;
  for (const [name, help, field] of gauges) {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        const stats = database.poolStats();
        if (stats) this.set(stats[field]);
      },
    });
  }
}
