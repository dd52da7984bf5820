import { TransportError } from '../../src/ports/transport.js';

/** The TransportError `promise` rejects with; fails the test if it resolves or throws another. */
export async function rejection(promise: Promise<unknown>): Promise<TransportError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TransportError) return error;
    throw error;
  }
  throw new Error('expected a TransportError, but the call succeeded');
}
