import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';

import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { inject } from 'vitest';

import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startServer, type RunningServer } from '../../src/main.js';
import { createTestDatabase, type TestDatabase } from './databases.js';

export const ADMIN_KEY = 'test-admin-key-0123456789abcdef';
export const DASHBOARD_KEY = 'test-dashboard-key-0123456789ab';
export const SECRET = 'test-signing-secret';

export interface TestServer extends RunningServer {
  /** Moves the clock the server checks webhook timestamps against. */
  clock: { now: Date };
  /** SQL statements the server ran; tests clear it and count. */
  queries: string[];
  postback(path: string, body: string | Uint8Array, headers?: Record<string, string>): Promise<Response>;
  signedPostback(path: string, body: string, headers?: Record<string, string>): Promise<Response>;
  /** Runs a GraphQL operation: a typed document from test/generated, or query text. */
  graphql<T = any, V = Record<string, unknown>>(
    query: string | TypedDocumentNode<T, V>,
    variables?: V,
    key?: string | null,
  ): Promise<{ status: number; body: { data?: T; errors?: any[] } }>;
  /** Creates a partner and an active domain through GraphQL. */
  seed(options?: { partner?: string; domains?: string[]; revenueShare?: string }): Promise<void>;
  /** Returns the totals mismatches the admin invariant check reports. */
  totalsMismatches(): Promise<unknown[]>;
}

export function hexSignature(body: string | Uint8Array, secret = SECRET): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

export function fixture(name: string): string {
  return readFileSync(new URL(`../../../shared/fixtures/${name}`, import.meta.url), 'utf8').trim();
}

/** Reads a payload from test/fixtures in this repository. */
export function localFixture(name: string): string {
  return readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8').trim();
}

/**
 * Starts the server on a free port, on a database of its own: a fresh copy
 * of the template, or `options.database` (dropped when the server closes).
 */
export async function startTestServer(env: Record<string, string> = {}, options: { database?: TestDatabase } = {}): Promise<TestServer> {
  const database = options.database ?? (await createTestDatabase(inject('template')));
  const config = loadConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    INTERNAL_API_KEY: ADMIN_KEY,
    DASHBOARD_API_KEY: DASHBOARD_KEY,
    YIELD_WEBHOOK_SECRET: SECRET,
    LOG_LEVEL: 'silent',
    ...database.env,
    ...env,
  });
  const clock = { now: new Date() };
  const queries: string[] = [];
  const server = await startServer(config, createLogger(config), { now: () => clock.now, onQuery: (sql) => queries.push(sql) });

  const postback = (path: string, body: string | Uint8Array, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: body as BodyInit,
    });

  const graphql = async (query: string | TypedDocumentNode<any, any>, variables: unknown = {}, key: string | null = ADMIN_KEY) => {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { 'x-internal-key': key } : {}) },
      body: JSON.stringify({ query: typeof query === 'string' ? query : print(query), variables }),
    });
    return { status: response.status, body: (await response.json()) as { data?: any; errors?: any[] } };
  };

  return {
    ...server,
    clock,
    queries,
    postback,
    signedPostback: (path, body, headers = {}) => {
      const header = path === '/yield-webhooks/awin/postback' ? 'x-awin-signature' : 'x-webhook-signature';
      return postback(path, body, { [header]: hexSignature(body), ...headers });
    },
    graphql,
    async seed({ partner = 'demo', domains = ['garden-tools.example'], revenueShare } = {}) {
      const partnerResult = await graphql(
        `mutation ($input: UpsertPartnerInput!) { upsertPartner(input: $input) { __typename ... on Error { message } } }`,
        { input: { slug: partner, name: partner, ...(revenueShare ? { revenueShare } : {}) } },
      );
      if (partnerResult.body.data?.upsertPartner.__typename !== 'MutationUpsertPartnerSuccess') {
        throw new Error(`seeding partner failed: ${JSON.stringify(partnerResult.body)}`);
      }
      for (const domain of domains) {
        const domainResult = await graphql(
          `mutation ($input: UpsertDomainInput!) { upsertDomain(input: $input) { __typename ... on Error { message } } }`,
          { input: { domain, userId: 1 } },
        );
        if (domainResult.body.data?.upsertDomain.__typename !== 'MutationUpsertDomainSuccess') {
          throw new Error(`seeding domain failed: ${JSON.stringify(domainResult.body)}`);
        }
      }
    },
    async totalsMismatches() {
      const result = await graphql('{ totalsMismatches { domain currency field stored expected } }');
      if (!result.body.data) throw new Error(`invariant check failed: ${JSON.stringify(result.body)}`);
      return result.body.data.totalsMismatches;
    },
    async close() {
      await server.close();
      await database.drop();
    },
  };
}
