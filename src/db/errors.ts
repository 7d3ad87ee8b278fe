// Error codes that mean the database cannot be reached or is shutting down:
// Prisma's connection errors, PostgreSQL's connection and shutdown classes,
// and the socket errors of the pg driver.
const UNAVAILABLE_CODES = new Set([
  'P1001', 'P1002', 'P1008', 'P1017', 'P2024',
  '08000', '08001', '08003', '08004', '08006', '57P01', '57P02', '57P03', '53300',
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH',
]);

const UNAVAILABLE_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);

/** Returns whether an error, or one of its causes, reports an unreachable database. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 8; depth++) {
    if (typeof current !== 'object') return false;
    const candidate = current as { code?: unknown; kind?: unknown; cause?: unknown; name?: unknown; message?: unknown };
    if (typeof candidate.code === 'string' && UNAVAILABLE_CODES.has(candidate.code)) return true;
    if (typeof candidate.kind === 'string' && UNAVAILABLE_KINDS.has(candidate.kind)) return true;
    if (candidate.name === 'PrismaClientInitializationError') return true;
    if (typeof candidate.message === 'string' && /Connection terminated|connect ECONNREFUSED|Client has encountered a connection error/.test(candidate.message)) return true;
    current = candidate.cause;
  }
  return false;
}

/** Returns whether an error is a unique-constraint violation, whichever adapter raised it. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'P2002' || code === '23505';
}
