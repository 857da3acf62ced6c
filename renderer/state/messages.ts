import { ApiError } from '../../shared/api-contract';

/** What the user is told when a call fails: the agent's own words, or one plain sentence. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return 'Something went wrong while talking to Candor.';
}
