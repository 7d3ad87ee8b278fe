import type { Prisma, PrismaClient } from '../generated/prisma/client.js';

/** The Prisma client, or the client of an open interactive transaction. */
export type Db = PrismaClient;
export type Tx = Prisma.TransactionClient;

// Interactive transactions default to a 5 s limit in Prisma; large imports
// and a busy embedded database need longer.
export const TRANSACTION_OPTIONS = { maxWait: 30_000, timeout: 120_000 } as const;
