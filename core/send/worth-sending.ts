import type { BuiltReport } from '../report/builder';
import { missingRequired } from '../../shared/schema/payload';
import { PROBLEMS, type ProblemCode } from '../sources/problems';

/**
 * Why a built report must not leave this machine, sent or exported: it lacks a field that says what
 * it is about (`REQUIRED_FIELDS`), because the server could not be read. The cause is in fixed
 * words ("the server refused the user name or password"), never the server's own text, so it may
 * be stored in the history and shown anywhere. Null when the report is worth sending.
 */
export function notWorthSending(built: Pick<BuiltReport, 'payload' | 'serverProblem'>): { problem: ProblemCode; cause: string } | null {
  if (missingRequired(built.payload).length === 0) return null;
  const problem = built.serverProblem ?? 'version-unknown';
  const words = PROBLEMS[problem].replace(/\.$/, '');
  return { problem, cause: words.charAt(0).toLowerCase() + words.slice(1) };
}
