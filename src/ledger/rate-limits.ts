import type { Db } from './database.js';

export interface RatePolicy {
  limit: number;
  windowSeconds: number;
}

export interface RateCount {
  /** Requests counted in the current window, this one included. */
  count: number;
  /** Whole seconds until the current window ends, at least 1. */
  resetSeconds: number;
}

/**
 * Counts one postback of a partner in its current fixed window. Windows
 * start at multiples of the window length since the Unix epoch, so every
 * server process computes the same window, and the counter row is upserted
 * atomically in the database.
 */
export async function countPostback(db: Db, partnerId: number, policy: RatePolicy, now: Date): Promise<RateCount> {
  const windowMs = policy.windowSeconds * 1000;
  const windowStart = new Date(Math.floor(now.getTime() / windowMs) * windowMs);

  // LEAST keeps a flood from overflowing the INTEGER column.
  const rows = await db.$queryRaw<{ request_count: number }[]>`
    INSERT INTO webhook_rate_window (partner_id, window_start, request_count) VALUES (${partnerId}, ${windowStart}, 1)
    ON CONFLICT (partner_id, window_start)
    DO UPDATE SET request_count = LEAST(webhook_rate_window.request_count + 1, 2147483647)
    RETURNING request_count`;
  const count = Number(rows[0]!.request_count);

  // The first request of a window removes the partner's finished windows.
  if (count === 1) await db.webhookRateWindow.deleteMany({ where: { partnerId, windowStart: { lt: windowStart } } });

  const resetSeconds = Math.max(1, Math.ceil((windowStart.getTime() + windowMs - now.getTime()) / 1000));
  return { count, resetSeconds };
}
