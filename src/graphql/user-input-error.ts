import { GraphQLError } from 'graphql';

import { ValidationError } from '../ledger/errors.js';

/**
 * Runs a query resolver and turns a ValidationError into a GraphQL error
 * with code BAD_USER_INPUT naming the argument, which error masking lets
 * through. Queries answer data, not result unions, so this is how they
 * report bad arguments.
 */
export async function rethrowAsUserInputError<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ValidationError) {
      throw new GraphQLError(error.message, { extensions: { code: 'BAD_USER_INPUT', field: error.field } });
    }
    throw error;
  }
}
