import { TRANSACTION_OPTIONS, type Db } from './database.js';
import { InvalidStateError, NotFoundError } from './errors.js';
import { changeTransaction, lockTransaction, type ChangeOutcome } from './transaction-change.js';

const ADMIN = { source: 'ADMIN', actor: 'admin' } as const;

export interface ConfirmOptions {
  /** Reject an already confirmed transaction instead of returning it unchanged. */
  requirePending?: boolean;
}

/**
 * Confirms a pending transaction. Confirming a confirmed one changes nothing
 * and never adds its revenue again; a rejected or reversed one is an error.
 */
export async function confirmTransaction(db: Db, id: number, options: ConfirmOptions = {}): Promise<ChangeOutcome> {
  return db.$transaction(async (tx) => {
    const current = await lockTransaction(tx, id);
    if (!current) throw new NotFoundError(`Transaction ${id} not found.`);

    const notPending = options.requirePending ? current.status !== 'PENDING' : current.status !== 'PENDING' && current.status !== 'CONFIRMED';
    if (notPending) {
      throw new InvalidStateError(`Transaction ${id} is ${current.status.toLowerCase()}; only a pending transaction can be confirmed.`);
    }
    return changeTransaction(tx, current, { status: 'CONFIRMED' }, ADMIN);
  }, TRANSACTION_OPTIONS);
}
