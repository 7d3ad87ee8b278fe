import type { TransactionStatus } from '../generated/prisma/client.js';
import { TRANSACTION_OPTIONS, type Db } from './database.js';
import { InvalidStateError, NotFoundError, ValidationError } from './errors.js';
import { changeTransaction, lockTransaction, type ChangeOutcome } from './transaction-change.js';

const ADMIN = { source: 'ADMIN', actor: 'admin' } as const;
const MAX_REASON_LENGTH = 400;

export interface ConfirmOptions {
  /** Reject an already confirmed transaction instead of returning it unchanged. */
  requirePending?: boolean;
}

/**
 * Confirms a pending transaction. Confirming a confirmed one changes nothing
 * and never adds its revenue again; a rejected or reversed one is an error.
 */
export async function confirmTransaction(db: Db, id: number, options: ConfirmOptions = {}): Promise<ChangeOutcome> {
  const allowed: TransactionStatus[] = options.requirePending ? ['PENDING'] : ['PENDING', 'CONFIRMED'];
  return moveByAdmin(db, id, 'CONFIRMED', allowed, 'only a pending transaction can be confirmed');
}

/**
 * Rejects a pending transaction with a reason. Rejecting a rejected one
 * changes nothing; a confirmed one needs reverseTransaction instead.
 */
export async function rejectTransaction(db: Db, id: number, reason: string): Promise<ChangeOutcome> {
  return moveByAdmin(db, id, 'REJECTED', ['PENDING', 'REJECTED'], 'only a pending transaction can be rejected; reverse a confirmed one', reason);
}

/**
 * Reverses a confirmed transaction with a reason, taking its revenue back.
 * Reversing a reversed one changes nothing.
 */
export async function reverseTransaction(db: Db, id: number, reason: string): Promise<ChangeOutcome> {
  return moveByAdmin(db, id, 'REVERSED', ['CONFIRMED', 'REVERSED'], 'only a confirmed transaction can be reversed; reject a pending one', reason);
}

async function moveByAdmin(
  db: Db,
  id: number,
  target: TransactionStatus,
  allowedFrom: readonly TransactionStatus[],
  rule: string,
  reason?: string,
): Promise<ChangeOutcome> {
  const note = reason === undefined ? undefined : checkReason(reason);
  return db.$transaction(async (tx) => {
    const current = await lockTransaction(tx, id);
    if (!current) throw new NotFoundError(`Transaction ${id} not found.`);
    if (!allowedFrom.includes(current.status)) {
      throw new InvalidStateError(`Transaction ${id} is ${current.status.toLowerCase()}; ${rule}.`);
    }
    return changeTransaction(tx, current, { status: target, note }, ADMIN);
  }, TRANSACTION_OPTIONS);
}

function checkReason(reason: string): string {
  const trimmed = reason.trim();
  if (trimmed === '') throw new ValidationError('reason', 'reason must not be empty: say why, for example "order returned"');
  if (trimmed.length > MAX_REASON_LENGTH) {
    throw new ValidationError('reason', `reason must be at most ${MAX_REASON_LENGTH} characters long, got ${trimmed.length}`);
  }
  return trimmed;
}
