import { createHmac } from 'node:crypto';

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { createTestDatabase, withAdminClient } from '../support/databases.js';
import { ADMIN_KEY, hexSignature, SECRET, startTestServer, type TestServer } from '../support/test-server.js';

// At least 10,000 generated requests on PostgreSQL, spread over every route
// under /yield-webhooks and sent a few at a time. The embedded database has
// one connection and serves them one by one, so it gets 2,000.
const CONCURRENT = 8;
const REQUESTS = inject('template').kind === 'postgresql' ? 10_000 : 2_000;

/** A JSON tree whose numbers are raw text and whose objects are entry lists, so keys may repeat or be `__proto__`. */
type Tree = string | boolean | null | { number: string } | Tree[] | { entries: Array<[string, Tree]> };

interface HostileRequest {
  path: string;
  /** The route's name in the counts below. */
  route: 'generic' | 'unknown-partner' | 'awin' | 'batch-import' | 'confirm';
  body: Uint8Array;
  headers: Record<string, string>;
}

const FRAGMENTS = [
  "'; DROP TABLE transaction; --",
  "1' OR '1'='1",
  '"; SELECT pg_sleep(10); --',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '{{7*7}}',
  '${process.exit()}',
  '\u0000',
  'a\u0000b',
  '\u202e',
  '\ud800',
  '../../etc/passwd',
  'garden-tools.example',
  'GARDEN-TOOLS.EXAMPLE.',
  'sale',
  'lead',
  'click',
  'pending',
  'confirmed',
  'approved',
  'declined',
  'EUR',
  'chf',
  '12.50',
  '-1',
  '1e3',
  '2026-11-28T14:05:09Z',
  '',
  ' ',
];

const NUMBERS = ['1e309', '-1', '1e-7', '0.0000001', '123456789012345678901234567890.5', '-0', '0', '00012', '1E2', '99999999999999.999999', '100000000000000', '0.1234567'];

const GENERIC_FIELDS = ['event_type', 'domain', 'transaction_id', 'click_id', 'amount', 'currency', 'status', 'occurred_at', 'geo_country', 'referrer', 'user_agent', 'metadata'];
const AWIN_FIELDS = ['clickRef', 'transactionId', 'commission', 'commissionCurrency', 'status', 'transactionType'];
const IMPORT_FIELDS = ['domain', 'event_type', 'partner_slug', 'transaction_id', 'click_id', 'gross_amount', 'currency', 'status', 'created_at'];
const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '__defineGetter__'];

const printableAscii = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)), maxLength: 80 });

const text = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...FRAGMENTS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 5000 }).map((length) => 'x'.repeat(length)) },
);

const numberText = fc.oneof(
  fc.constantFrom(...NUMBERS),
  fc.bigInt().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  fc.integer().map(String),
);

const leaf: fc.Arbitrary<Tree> = fc.oneof(
  { weight: 4, arbitrary: text },
  { weight: 3, arbitrary: numberText.map((number) => ({ number })) },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
);

/** Arrays or objects nested far deeper than any postback field allows. */
const deepNesting: fc.Arbitrary<Tree> = fc.tuple(fc.integer({ min: 30, max: 800 }), fc.boolean()).map(([depth, asObjects]) => {
  let tree: Tree = 'bottom';
  for (let level = 0; level < depth; level++) tree = asObjects ? { entries: [['a', tree]] } : [tree];
  return tree;
});

const nested: fc.Arbitrary<Tree> = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('tree'), { maxLength: 4 }),
    fc.array(fc.tuple(fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS), fc.string({ maxLength: 10 })), tie('tree')), { maxLength: 4 }).map((entries) => ({ entries })),
  ),
})).tree;

const value = fc.oneof({ weight: 6, arbitrary: leaf }, { weight: 2, arbitrary: nested }, { weight: 1, arbitrary: deepNesting });

const VALID_GENERIC: Array<[string, Tree]> = [
  ['event_type', 'sale'],
  ['domain', 'garden-tools.example'],
  ['transaction_id', 'fuzz-1'],
  ['amount', '12.50'],
  ['currency', 'EUR'],
];
const VALID_AWIN: Array<[string, Tree]> = [
  ['clickRef', 'garden-tools.example'],
  ['transactionId', 'fuzz-awin-1'],
  ['commission', '3.10'],
  ['status', 'pending'],
];

/** Builds a valid body with one to three fields replaced or added, so most of them pass the signature and reach the field checks. */
function nearlyValid(valid: Array<[string, Tree]>, fields: string[]): fc.Arbitrary<Tree> {
  return fc
    .tuple(fc.array(fc.tuple(fc.constantFrom(...fields, ...PROTOTYPE_KEYS), value), { minLength: 1, maxLength: 3 }), fc.string({ unit: 'grapheme-ascii', maxLength: 6 }))
    .map(([changes, suffix]) => {
      // A varying id makes some of them new transactions instead of conflicts with the first one.
      const entries = valid.map(([key, child]): [string, Tree] => [key, key === 'transaction_id' || key === 'transactionId' ? `${child}${suffix}` : child]);
      for (const [key, child] of changes) {
        const index = entries.findIndex(([existing]) => existing === key);
        if (index >= 0) entries[index] = [key, child];
        else entries.push([key, child]);
      }
      return { entries };
    });
}

function objectOf(fields: string[]): fc.Arbitrary<Tree> {
  const key = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...fields) }, { weight: 1, arbitrary: fc.constantFrom(...PROTOTYPE_KEYS) }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }) });
  return fc.array(fc.tuple(key, value), { maxLength: 10 }).map((entries) => ({ entries }));
}

const importBody: fc.Arbitrary<Tree> = fc.oneof(
  fc.array(objectOf(IMPORT_FIELDS), { maxLength: 5 }).map((rows): Tree => ({ entries: [['transactions', rows]] })),
  objectOf(['transactions']),
);

/** Percent-encodes every UTF-8 byte; unlike encodeURIComponent it accepts lone surrogates. */
function percentEncode(segment: string): string {
  return [...Buffer.from(segment, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
}

function toJson(tree: Tree): string {
  if (tree === null || typeof tree === 'string' || typeof tree === 'boolean') return JSON.stringify(tree);
  if (Array.isArray(tree)) return `[${tree.map(toJson).join(',')}]`;
  if ('number' in tree) return tree.number;
  return `{${tree.entries.map(([key, child]) => `${JSON.stringify(key)}:${toJson(child)}`).join(',')}}`;
}

/** Turns the JSON text into the bytes sent: mostly unchanged, sometimes broken in ways a parser must survive. */
const bodyBytes = (tree: fc.Arbitrary<Tree>): fc.Arbitrary<Uint8Array> =>
  fc.oneof(
    { weight: 8, arbitrary: tree.map((body) => Buffer.from(toJson(body))) },
    { weight: 1, arbitrary: fc.tuple(tree, fc.nat()).map(([body, cut]) => { const bytes = Buffer.from(toJson(body)); return bytes.subarray(0, cut % (bytes.length + 1)); }) },
    {
      weight: 1,
      arbitrary: fc.tuple(tree, fc.nat(), fc.constantFrom([0xff], [0xc3, 0x28], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82])).map(([body, at, invalid]) => {
        const bytes = Buffer.from(toJson(body));
        const position = at % (bytes.length + 1);
        return Buffer.concat([bytes.subarray(0, position), Buffer.from(invalid), bytes.subarray(position)]);
      }),
    },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }) },
    { weight: 1, arbitrary: fc.constantFrom('', '[]', '1', '"text"', 'null', 'true', '{', '{}', '{"a":1,"a":2}', '\ufeff{}').map((body) => Buffer.from(body)) },
  );

const contentType = fc.oneof(
  { weight: 12, arbitrary: fc.constant('application/json') },
  { weight: 1, arbitrary: fc.constantFrom('application/json; charset=utf-8', 'APPLICATION/JSON', 'application/vnd.partner+json', 'text/plain', 'application/x-www-form-urlencoded', '') },
  { weight: 1, arbitrary: printableAscii },
);

type SignatureMode = 'hex' | 'hex-prefixed' | 'standard' | 'standard-stale' | 'wrong-hex' | 'garbage' | 'none';
const signatureMode = fc.oneof(
  { weight: 6, arbitrary: fc.constant<SignatureMode>('hex') },
  { weight: 1, arbitrary: fc.constant<SignatureMode>('hex-prefixed') },
  { weight: 2, arbitrary: fc.constant<SignatureMode>('standard') },
  { weight: 1, arbitrary: fc.constantFrom<SignatureMode>('standard-stale', 'wrong-hex', 'garbage', 'none') },
);

function signatureHeaders(mode: SignatureMode, header: string, body: Uint8Array, garbage: string, webhookId: string): Record<string, string> {
  const now = Math.floor(Date.now() / 1000);
  const standard = (timestamp: number) => {
    const signed = Buffer.concat([Buffer.from(`${webhookId}.${timestamp}.`), body]);
    const signature = createHmac('sha256', SECRET).update(signed).digest('base64');
    return { 'webhook-id': webhookId, 'webhook-timestamp': String(timestamp), 'webhook-signature': `v1,${signature}` };
  };
  switch (mode) {
    case 'hex':
      return { [header]: hexSignature(body) };
    case 'hex-prefixed':
      return { [header]: `sha256=${hexSignature(body).toUpperCase()}` };
    case 'standard':
      return standard(now);
    case 'standard-stale':
      return standard(now - 3600);
    case 'wrong-hex':
      return { [header]: hexSignature(body, 'another-secret') };
    case 'garbage':
      return { [header]: garbage, 'webhook-timestamp': garbage.slice(0, 12) };
    case 'none':
      return {};
  }
}

function hostileRequest(route: HostileRequest['route'], path: fc.Arbitrary<string>, tree: fc.Arbitrary<Tree>, header: string): fc.Arbitrary<HostileRequest> {
  return fc
    .record({ path, body: bodyBytes(tree), contentType, mode: signatureMode, garbage: printableAscii, webhookId: printableAscii, requestId: fc.option(printableAscii), adminKey: fc.boolean() })
    .map(({ path: requestPath, body, contentType: type, mode, garbage, webhookId, requestId, adminKey }) => {
      const headers: Record<string, string> = { 'content-type': type, ...signatureHeaders(mode, header, body, garbage, webhookId || 'id') };
      if (requestId !== null) headers['x-request-id'] = requestId;
      if (adminKey) headers['x-internal-key'] = ADMIN_KEY;
      return { route, path: requestPath, body, headers };
    });
}

const requests: fc.Arbitrary<HostileRequest> = fc.oneof(
  { weight: 2, arbitrary: hostileRequest('generic', fc.constant('/yield-webhooks/demo'), objectOf(GENERIC_FIELDS), 'x-webhook-signature') },
  { weight: 3, arbitrary: hostileRequest('generic', fc.constant('/yield-webhooks/demo'), nearlyValid(VALID_GENERIC, GENERIC_FIELDS), 'x-webhook-signature') },
  { weight: 1, arbitrary: hostileRequest('unknown-partner', // URL parsing would resolve '.' and '..' segments, even percent-encoded, to another route.
    printableAscii.map((slug) => `/yield-webhooks/${percentEncode(slug === '' || slug === '.' || slug === '..' ? 'x' : slug)}`), objectOf(GENERIC_FIELDS), 'x-webhook-signature') },
  { weight: 1, arbitrary: hostileRequest('awin', fc.constant('/yield-webhooks/awin/postback'), objectOf(AWIN_FIELDS), 'x-awin-signature') },
  { weight: 2, arbitrary: hostileRequest('awin', fc.constant('/yield-webhooks/awin/postback'), nearlyValid(VALID_AWIN, AWIN_FIELDS), 'x-awin-signature') },
  { weight: 1, arbitrary: hostileRequest('batch-import', fc.constant('/yield-webhooks/batch-import'), importBody, 'x-webhook-signature') },
  { weight: 1, arbitrary: hostileRequest('confirm', fc.oneof(text, numberText).map((id) => `/yield-webhooks/confirm/${percentEncode(id || '0')}`), objectOf(GENERIC_FIELDS), 'x-webhook-signature') },
);

let server: TestServer;

beforeAll(async () => {
  const template = inject('template');
  const database = await createTestDatabase(template);
  if (template.kind === 'postgresql') {
    // Each rejected postback commits its delivery log row. This throwaway
    // database need not wait for the disk flush of each commit.
    const name = new URL(database.env.DATABASE_URL!).pathname.slice(1);
    await withAdminClient(template.url, (client) => client.query(`ALTER DATABASE "${name}" SET synchronous_commit TO off`));
  }
  // The corpus is far above the default partner rate limit, which has tests of its own.
  server = await startTestServer({ WEBHOOK_RATE_LIMIT: '1000000' }, { database });
  await server.seed({ domains: ['garden-tools.example'] });
});

afterAll(async () => {
  await server?.close();
});

describe('hostile input on the webhook routes', () => {
  it('never answers 5xx and stores only accepted events', async () => {
    const statuses = new Map<string, number>();
    const createdIds = new Set<number>();
    const acknowledgedIds = new Set<number>();
    let imported = 0;
    const postbackAnswers: Array<{ requestId: string; status: number; path: string }> = [];

    const send = async (request: HostileRequest) => {
      const response = await fetch(`${server.url}${request.path}`, { method: 'POST', headers: request.headers, body: request.body as BodyInit });
      const text = await response.text();
      const key = `${request.route} ${response.status}`;
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
      if (request.route !== 'batch-import' && request.route !== 'confirm') {
        postbackAnswers.push({ requestId: response.headers.get('x-request-id') ?? '', status: response.status, path: request.path.slice(0, 80) });
      }

      expect(response.status, text).toBeLessThan(500);
      if (response.status !== 200) return;

      const body = JSON.parse(text) as { transaction_id?: number; message?: string; imported?: number };
      if (request.route === 'batch-import') imported += body.imported ?? 0;
      if (request.route === 'generic' || request.route === 'awin') {
        acknowledgedIds.add(body.transaction_id!);
        if (body.message === 'Transaction recorded.') createdIds.add(body.transaction_id!);
      }
    };

    await fc.assert(
      fc.asyncProperty(fc.array(requests, { minLength: CONCURRENT, maxLength: CONCURRENT }), async (batch) => {
        await Promise.all(batch.map(send));
      }),
      { numRuns: Math.ceil(REQUESTS / CONCURRENT) },
    );

    const total = [...statuses.values()].reduce((sum, count) => sum + count, 0);
    expect(total).toBeGreaterThanOrEqual(REQUESTS);
    for (const route of ['generic', 'unknown-partner', 'awin', 'batch-import', 'confirm']) {
      expect([...statuses.keys()].some((key) => key.startsWith(`${route} `)), `no request reached ${route}`).toBe(true);
    }
    // Signed bodies must get past the signature to the field checks.
    expect(statuses.get('generic 422') ?? 0).toBeGreaterThan(0);
    expect(statuses.get('awin 422') ?? 0).toBeGreaterThan(0);

    const rows = await server.database.prisma.transaction.findMany({ select: { id: true } });
    const storedIds = new Set(rows.map((row) => row.id));
    expect([...acknowledgedIds].filter((id) => !storedIds.has(id))).toEqual([]);
    expect(rows.length).toBe(createdIds.size + imported);
    // Every postback request, accepted or not, is in the delivery log under its request id.
    const deliveries = await server.database.prisma.webhookDelivery.findMany({ select: { requestId: true } });
    const loggedRequestIds = new Set(deliveries.map((delivery) => delivery.requestId));
    expect(postbackAnswers.filter((answer) => !loggedRequestIds.has(answer.requestId))).toEqual([]);

    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    const valid = JSON.stringify({ event_type: 'sale', domain: 'garden-tools.example', transaction_id: 'after-fuzz', amount: '4.20' });
    expect((await server.signedPostback('/yield-webhooks/demo', valid)).status).toBe(200);
    expect(await server.totalsMismatches()).toEqual([]);
  }, 300_000);
});

describe('text PostgreSQL cannot store', () => {
  it.each([
    ['referrer', { referrer: 'a\u0000b' }],
    ['user_agent', { user_agent: 'x\ud800' }],
    ['transaction_id', { transaction_id: 'nul\u0000id' }],
    ['click_id', { click_id: '\udc00' }],
    ['metadata', { metadata: { note: 'a\u0000b' } }],
    ['metadata', { metadata: { 'key\u0000': 1 } }],
  ])('rejects %s with 422', async (field, change) => {
    const before = await server.database.prisma.transaction.count();
    const body = JSON.stringify({ event_type: 'sale', domain: 'garden-tools.example', transaction_id: 'unstorable', amount: '1.00', ...change });
    const response = await server.signedPostback('/yield-webhooks/demo', body);
    expect(response.status).toBe(422);
    expect(((await response.json()) as { errors: Array<{ field: string }> }).errors[0]!.field).toBe(field);
    expect(await server.database.prisma.transaction.count()).toBe(before);
  });

  it('logs a rejected delivery whose reason quotes a NUL character', async () => {
    const response = await server.signedPostback('/yield-webhooks/demo', JSON.stringify({ event_type: 'sale\u0000', domain: 'garden-tools.example' }));
    expect(response.status).toBe(422);
    const requestId = response.headers.get('x-request-id')!;
    const delivery = await server.database.prisma.webhookDelivery.findFirstOrThrow({ where: { requestId } });
    expect(delivery.httpStatus).toBe(422);
    expect(await server.totalsMismatches()).toEqual([]);
  });
});
