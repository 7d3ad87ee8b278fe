// The fastest plausible postback receiver, for comparison: node:http reads
// the body, checks the same hex HMAC in constant time and runs one INSERT
// with pg. No validation, idempotency, totals or history.
import cluster from 'node:cluster';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

import pg from 'pg';

const url = process.env.DATABASE_URL!;
const port = Number(process.env.PORT ?? 4600);
const secret = process.env.YIELD_WEBHOOK_SECRET ?? '';
const workers = Number(process.env.WORKERS ?? 1);

if (cluster.isPrimary) {
  const setup = new pg.Client({ connectionString: url });
  await setup.connect();
  await setup.query('CREATE TABLE IF NOT EXISTS baseline_postback (id bigserial PRIMARY KEY, body jsonb NOT NULL, received_at timestamptz NOT NULL DEFAULT now())');
  await setup.end();
}

if (cluster.isPrimary && workers > 1) {
  for (let index = 0; index < workers; index++) cluster.fork();
  process.on('SIGTERM', () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill('SIGTERM');
    process.exit(0);
  });
} else {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const given = Buffer.from(String(request.headers['x-webhook-signature'] ?? ''), 'hex');
      const expected = createHmac('sha256', secret).update(body).digest();
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        response.writeHead(401).end();
        return;
      }
      pool.query('INSERT INTO baseline_postback (body) VALUES ($1) RETURNING id', [body.toString('utf8')]).then(
        (result) => {
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ success: true, transaction_id: Number(result.rows[0].id) }));
        },
        () => response.writeHead(503).end(),
      );
    });
  });
  server.listen(port, '127.0.0.1', () => console.log(JSON.stringify({ msg: 'baseline started', port })));
  process.on('SIGTERM', () => server.close(() => pool.end().then(() => process.exit(0))));
}
