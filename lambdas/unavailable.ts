/**
 * Errors that mean "a dependency is down or too slow right now" rather than "this request is
 * wrong" or "our code is broken": Temporal unreachable or its worker not answering a query in
 * time, DynamoDB refusing connections or throttling. The API answers these with 503 and
 * Retry-After, so clients and integration engines retry instead of reporting a bug.
 */
import { ServiceError } from '@temporalio/client';

const transient =
  /deadline exceeded|UNAVAILABLE|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|socket hang up|Failed to query Workflow|Timed out|Throttl/i;

export function isDependencyUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error instanceof ServiceError) return true;
  const e = error as Error & { code?: string; $metadata?: { httpStatusCode?: number }; cause?: unknown };
  if (e.$metadata?.httpStatusCode !== undefined && e.$metadata.httpStatusCode >= 500) return true;
  if (
    e.name === 'TimeoutError' ||
    e.name === 'ProvisionedThroughputExceededException' ||
    e.name === 'ThrottlingException'
  )
    return true;
  if (transient.test(`${e.code ?? ''} ${e.message}`)) return true;
  return e.cause !== undefined && e.cause !== error && isDependencyUnavailable(e.cause);
}
