// Error codes that mean the database cannot be reached or is shutting down:
// Prisma's connection errors, PostgreSQL's connection and shutdown classes,
// and the socket errors of the pg driver.
const UNAVAILABLE_CODES = new Set([
  'P1001', 'P1002', 'P1008', 'P1017', 'P2024',
  '08000', '08001', '08003', '08004', '08006', '57P01', '57P02', '57P03', '53300',
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH',
]);

const UNAVAILABLE_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);

/**
 * Returns whether an error, one of its causes, or the driver adapter error
 * Prisma attaches as `meta.driverAdapterError`, reports an unreachable database.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const pending: unknown[] = [error];
  for (let visited = 0; pending.length > 0 && visited < 16; visited++) {
    const current = pending.shift();
    if (!current || typeof current !== 'object') continue;

    const candidate = current as { code?: unknown; kind?: unknown; severity?: unknown; cause?: unknown; name?: unknown; message?: unknown; meta?: unknown };
    if (typeof candidate.code === 'string' && UNAVAILABLE_CODES.has(candidate.code)) return true;
    if (typeof candidate.kind === 'string' && UNAVAILABLE_KINDS.has(candidate.kind)) return true;
    // PostgreSQL ends the session after every FATAL error, for example
    // "database is not currently accepting connections" (55000).
    if (candidate.kind === 'postgres' && candidate.severity === 'FATAL') return true;
    if (candidate.name === 'PrismaClientInitializationError') return true;
    if (typeof candidate.message === 'string' && /Connection terminated|connect ECONNREFUSED|Client has encountered a connection error/.test(candidate.message)) return true;

    pending.push(candidate.cause, (candidate.meta as { driverAdapterError?: unknown } | undefined)?.driverAdapterError);
  }
  return false;
}

/** Returns whether an error is a unique-constraint violation, whichever adapter raised it. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'P2002' || code === '23505';
}
