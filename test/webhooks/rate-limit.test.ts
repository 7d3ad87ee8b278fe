import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { loadConfig } from '../../src/config.js';
import { openDatabase, type Database } from '../../src/db/client.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { ADMIN_KEY, hexSignature, SECRET, startTestServer, type TestServer } from '../support/test-server.js';

const template = inject('template');

function sale(transactionId: string): string {
  return JSON.stringify({ event_type: 'sale', domain: 'garden-tools.example', transaction_id: transactionId, amount: '1.00' });
}

describe('rate limit configuration', () => {
  it.each([
    ['WEBHOOK_RATE_LIMIT', { WEBHOOK_RATE_LIMIT: '0' }],
    ['WEBHOOK_RATE_LIMIT', { WEBHOOK_RATE_LIMIT: 'many' }],
    ['WEBHOOK_RATE_LIMIT_WINDOW_SECONDS', { WEBHOOK_RATE_LIMIT_WINDOW_SECONDS: '86401' }],
    ['WEBHOOK_TRUSTED_PROXIES', { WEBHOOK_TRUSTED_PROXIES: '10.0.0.1, proxy.internal' }],
  ])('rejects an invalid %s', (variable, env) => {
    expect(() => loadConfig(env)).toThrow(variable);
  });

  it('reads the defaults and the trusted proxies', () => {
    const config = loadConfig({ WEBHOOK_TRUSTED_PROXIES: '10.0.0.1, 2001:DB8::/32' });
    expect(config.webhookRateLimit).toBe(1200);
    expect(config.webhookRateLimitWindowSeconds).toBe(60);
    expect(config.webhookTrustedProxies).toEqual(['10.0.0.1/32', '2001:db8::/32']);
  });
});

describe('rate limit in one process', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ WEBHOOK_RATE_LIMIT: '5', WEBHOOK_RATE_LIMIT_WINDOW_SECONDS: '60' });
    await server.seed({ partner: 'limited', domains: ['garden-tools.example'] });
    await server.seed({ partner: 'defaults', domains: [] });
    const result = await server.graphql(
      'mutation { upsertPartner(input: { slug: "limited", name: "Limited", rateLimit: 3, rateLimitWindowSeconds: 60 }) { __typename } }',
    );
    expect(result.body.data.upsertPartner.__typename).toBe('MutationUpsertPartnerSuccess');
  });

  afterAll(async () => {
    expect(await server.totalsMismatches()).toEqual([]);
    await server.close();
  });

  it('answers 429 with Retry-After and RateLimit headers over the limit', async () => {
    // 20 seconds into a minute, so the window resets in 40 seconds.
    server.clock.now = new Date(Date.UTC(2030, 0, 1, 12, 0, 20));
    try {
      const remaining: (string | null)[] = [];
      for (let index = 0; index < 3; index++) {
        const response = await server.signedPostback('/yield-webhooks/limited', sale(`limited-${index}`));
        expect(response.status).toBe(200);
        expect(response.headers.get('ratelimit-policy')).toBe('"partner";q=3;w=60');
        remaining.push(response.headers.get('ratelimit'));
      }
      expect(remaining).toEqual(['"partner";r=2;t=40', '"partner";r=1;t=40', '"partner";r=0;t=40']);

      const before = await server.database.prisma.transaction.count();
      const limited = await server.signedPostback('/yield-webhooks/limited', sale('limited-3'), { 'x-request-id': 'over-the-limit' });
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('40');
      expect(limited.headers.get('ratelimit')).toBe('"partner";r=0;t=40');
      expect(limited.headers.get('ratelimit-policy')).toBe('"partner";q=3;w=60');
      expect(limited.headers.get('content-type')).toBe('application/problem+json');
      expect((await limited.json()).detail).toBe('Partner "limited" sent more than 3 postbacks in 60 seconds; retry after 40 seconds.');
      expect(await server.database.prisma.transaction.count()).toBe(before);

      const delivery = await server.database.prisma.webhookDelivery.findFirstOrThrow({ where: { requestId: 'over-the-limit' } });
      expect(delivery.httpStatus).toBe(429);
      expect(delivery.reason).toContain('more than 3 postbacks');

      server.clock.now = new Date(Date.UTC(2030, 0, 1, 12, 1, 0));
      const nextWindow = await server.signedPostback('/yield-webhooks/limited', sale('limited-3'));
      expect(nextWindow.status).toBe(200);
      expect(nextWindow.headers.get('ratelimit')).toBe('"partner";r=2;t=60');
      expect(await server.database.prisma.webhookRateWindow.count({ where: { partner: { slug: 'limited' } } })).toBe(1);
    } finally {
      server.clock.now = new Date();
    }
  });

  it('does not count requests that fail authentication', async () => {
    server.clock.now = new Date(Date.UTC(2030, 0, 1, 13, 0, 0));
    try {
      for (let index = 0; index < 5; index++) {
        const forged = await server.postback('/yield-webhooks/limited', sale(`forged-${index}`), { 'x-webhook-signature': hexSignature('other body') });
        expect(forged.status).toBe(401);
        expect(forged.headers.get('ratelimit')).toBeNull();
      }
      const genuine = await server.signedPostback('/yield-webhooks/limited', sale('after-forgeries'));
      expect(genuine.status).toBe(200);
      expect(genuine.headers.get('ratelimit')).toBe('"partner";r=2;t=60');
    } finally {
      server.clock.now = new Date();
    }
  });

  it('applies the server default to partners without a limit', async () => {
    server.clock.now = new Date(Date.UTC(2030, 0, 1, 14, 0, 30));
    try {
      const response = await server.signedPostback('/yield-webhooks/defaults', JSON.stringify({ event_type: 'click', domain: 'garden-tools.example' }));
      expect(response.status).toBe(200);
      expect(response.headers.get('ratelimit-policy')).toBe('"partner";q=5;w=60');
      expect(response.headers.get('ratelimit')).toBe('"partner";r=4;t=30');
    } finally {
      server.clock.now = new Date();
    }
  });
});

describe.skipIf(template.kind !== 'postgresql')('rate limit across two server processes', () => {
  const LIMIT = 10;
  const REQUESTS_PER_PROCESS = 20;
  let testDatabase: TestDatabase;
  let database: Database;
  const processes: ChildProcess[] = [];
  let urls: string[] = [];

  /** Starts `yield-ledger serve` as its own process and waits for its URL. */
  async function startProcess(env: Record<string, string>): Promise<string> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve'], {
      env: { ...process.env, ...env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    processes.push(child);
    const lines = createInterface({ input: child.stdout! });
    for await (const line of lines) {
      const entry = JSON.parse(line) as { msg?: string; url?: string };
      if (entry.msg === 'server started' && entry.url) return entry.url;
    }
    throw new Error('server process exited before it started');
  }

  beforeAll(async () => {
    testDatabase = await createTestDatabase(template);
    const env = { ...testDatabase.env, INTERNAL_API_KEY: ADMIN_KEY, YIELD_WEBHOOK_SECRET: SECRET };
    database = await openDatabase(loadConfig(env));
    urls = await Promise.all([startProcess(env), startProcess(env)]);

    const response = await fetch(`${urls[0]}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-internal-key': ADMIN_KEY },
      body: JSON.stringify({
        query: `mutation { p: upsertPartner(input: { slug: "shared", name: "Shared", rateLimit: ${LIMIT}, rateLimitWindowSeconds: 86400 }) { __typename }
                           d: upsertDomain(input: { domain: "garden-tools.example", userId: 1 }) { __typename } }`,
      }),
    });
    expect((await response.json()).data).toEqual({ p: { __typename: 'MutationUpsertPartnerSuccess' }, d: { __typename: 'MutationUpsertDomainSuccess' } });
  }, 120_000);

  afterAll(async () => {
    for (const child of processes) child.kill('SIGTERM');
    await Promise.all(processes.map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)))));
    await database?.close();
    await testDatabase?.drop();
  });

  it('shares one counter between the processes', async () => {
    const send = async (url: string, index: number) => {
      const body = sale(`shared-${url.slice(-5)}-${index}`);
      const response = await fetch(`${url}/yield-webhooks/shared`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-webhook-signature': hexSignature(body) },
        body,
      });
      await response.arrayBuffer();
      return { url, status: response.status };
    };
    const results = await Promise.all(urls.flatMap((url) => Array.from({ length: REQUESTS_PER_PROCESS }, (_, index) => send(url, index))));

    // The test may straddle a window boundary; then each window allows LIMIT.
    const windows = await database.prisma.webhookRateWindow.findMany({ where: { partner: { slug: 'shared' } } });
    const allowed = windows.reduce((sum, window) => sum + Math.min(LIMIT, window.requestCount), 0);
    expect(windows.reduce((sum, window) => sum + window.requestCount, 0)).toBe(2 * REQUESTS_PER_PROCESS);

    const accepted = results.filter((result) => result.status === 200);
    expect(results.filter((result) => result.status !== 200 && result.status !== 429)).toEqual([]);
    expect(accepted).toHaveLength(allowed);
    // Each process alone saw twice the limit, so with a counter per process
    // both would have accepted LIMIT postbacks within one window.
    if (windows.length === 1) expect(accepted).toHaveLength(LIMIT);
    expect(await database.prisma.transaction.count({ where: { partner: { slug: 'shared' } } })).toBe(allowed);
  }, 120_000);
});
