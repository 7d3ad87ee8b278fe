import type { TransactionStatus } from '../generated/prisma/client.js';

const ALLOWED: Record<TransactionStatus, readonly TransactionStatus[]> = {
  PENDING: ['CONFIRMED', 'REJECTED'],
  CONFIRMED: ['REVERSED'],
  REJECTED: [],
  REVERSED: [],
};

/**
 * Maps a requested status onto the transaction's current one. A rejection
 * of a confirmed transaction is a reversal (a decline after approval).
 */
export function effectiveStatus(current: TransactionStatus, requested: TransactionStatus): TransactionStatus {
  if (current === 'CONFIRMED' && requested === 'REJECTED') return 'REVERSED';
  return requested;
}

/** Returns whether the status machine allows the move. Keeping the same status is not a move. */
export function canMove(from: TransactionStatus, to: TransactionStatus): boolean {
  return ALLOWED[from].includes(to);
}

export function isFinal(status: TransactionStatus): boolean {
  return status === 'REJECTED' || status === 'REVERSED';
}
