import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestServer, type TestServer } from '../support/test-server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  await server.seed();
});

afterAll(async () => {
  await server?.close();
});

async function scrape(): Promise<string> {
  const response = await fetch(`${server.url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return response.text();
}

describe('metrics endpoint', () => {
  it('counts postbacks by partner and outcome', async () => {
    const body = JSON.stringify({ event_type: 'sale', domain: 'garden-tools.example', transaction_id: 'metrics-1', amount: '1.00' });
    expect((await server.signedPostback('/yield-webhooks/demo', body)).status).toBe(200);
    expect((await server.signedPostback('/yield-webhooks/demo', body)).status).toBe(200);
    expect((await server.postback('/yield-webhooks/demo', body, { 'x-webhook-signature': '00' })).status).toBe(401);
    expect((await server.signedPostback('/yield-webhooks/no-such-partner', body)).status).toBe(404);

    const text = await scrape();
    expect(text).toContain('yield_ledger_postbacks_total{partner="demo",route="/yield-webhooks/{partnerSlug}",outcome="created",status="200"} 1');
    expect(text).toContain('yield_ledger_postbacks_total{partner="demo",route="/yield-webhooks/{partnerSlug}",outcome="duplicate",status="200"} 1');
    expect(text).toContain('yield_ledger_postbacks_total{partner="demo",route="/yield-webhooks/{partnerSlug}",outcome="rejected",status="401"} 1');
    expect(text).toContain('yield_ledger_postbacks_total{partner="unknown",route="/yield-webhooks/{partnerSlug}",outcome="rejected",status="404"} 1');
    expect(await server.totalsMismatches()).toEqual([]);
  });

  it('records latency by route pattern', async () => {
    await fetch(`${server.url}/no/such/path`);
    const text = await scrape();
    expect(text).toMatch(/^yield_ledger_http_request_duration_seconds_count\{method="POST",route="\/yield-webhooks\/:partnerSlug",status="200"\} \d+$/m);
    expect(text).toMatch(/^yield_ledger_http_request_duration_seconds_bucket\{le="0\.1",method="POST",route="\/graphql",status="200"\} \d+$/m);
    expect(text).toMatch(/^yield_ledger_http_request_duration_seconds_count\{method="GET",route="unmatched",status="404"\} 1$/m);
    expect(text).not.toContain('no-such-partner');
  });

  it('counts GraphQL operations and errors', async () => {
    await server.graphql('{ transactions(first: 1) { totalCount } }');
    await server.graphql('{ noSuchField }');
    await server.graphql('{ transactions(first: 1) { totalCount } }', {}, null);

    const text = await scrape();
    expect(text).toMatch(/^yield_ledger_graphql_operations_total\{operation="query"\} \d+$/m);
    expect(text).toMatch(/^yield_ledger_graphql_operations_total\{operation="mutation"\} \d+$/m);
    expect(text).toMatch(/^yield_ledger_graphql_errors_total\{code="GRAPHQL_VALIDATION_FAILED"\} 1$/m);
    expect(text).toMatch(/^yield_ledger_graphql_errors_total\{code="UNAUTHENTICATED"\} \d+$/m);
  });

  it('reports pool use on PostgreSQL only', async () => {
    const text = await scrape();
    if (server.database.kind === 'postgresql') {
      expect(text).toMatch(/^yield_ledger_db_pool_connections \d+$/m);
      expect(text).toMatch(/^yield_ledger_db_pool_idle_connections \d+$/m);
      expect(text).toMatch(/^yield_ledger_db_pool_waiting_requests 0$/m);
      expect(text).toMatch(/^yield_ledger_db_pool_max_connections 10$/m);
    } else {
      expect(text).not.toContain('yield_ledger_db_pool_connections');
    }
  });

  it('echoes the caller request id', async () => {
    const response = await fetch(`${server.url}/healthz`, { headers: { 'x-request-id': 'trace-abc-123' } });
    expect(response.headers.get('x-request-id')).toBe('trace-abc-123');
  });
});
