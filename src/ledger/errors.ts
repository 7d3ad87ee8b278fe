/**
 * Expected failures of the ledger. Each carries a code; the REST layer maps
 * codes to HTTP statuses and GraphQL exposes them as typed results.
 */
export type LedgerErrorCode =
  | 'INVALID_FIELD'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'INVALID_STATE';

export class LedgerError extends Error {
  constructor(
    readonly code: LedgerErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A field of the request is invalid; `field` names it as the caller wrote it. */
export class ValidationError extends LedgerError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super('INVALID_FIELD', message);
  }
}

export class NotFoundError extends LedgerError {
  constructor(message: string) {
    super('NOT_FOUND', message);
  }
}

/** The partner's id already belongs to a transaction with another identity. */
export class ConflictError extends LedgerError {
  constructor(message: string) {
    super('CONFLICT', message);
  }
}

/** The transaction's status does not allow the requested operation. */
export class InvalidStateError extends LedgerError {
  constructor(message: string) {
    super('INVALID_STATE', message);
  }
}
