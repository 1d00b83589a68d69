import { StorageUnavailableError, type StorageErrorKind } from '#core-domain';

/** DynamoDB answers that mean "busy or down, try again later", after the SDK's own retries. */
const UNAVAILABLE_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'ThrottlingError',
  'LimitExceededException',
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TransactionConflictException',
  'TransactionInProgressException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'AbortError',
  // Waited too long for a free connection (in-flight-limit.ts).
  'InFlightQueueTimeout',
  'CredentialsProviderError',
  // The table does not exist (not created yet, wrong name or endpoint): storage is not usable.
  'ResourceNotFoundException',
]);

/** Network failures from the HTTP handler (Node socket errors and undici codes). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ESOCKETTIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * The same failures named only in a message: the SDK wraps an error it does not recognise as an
 * Error (for instance one from another realm, as under Jest's VM modules) in
 * `new Error('AWS SDK error wrapper for Error: connect ECONNREFUSED ...')`, dropping its `code`.
 */
const NETWORK_MESSAGE = new RegExp(`\\b(${[...NETWORK_CODES].join('|')}|socket hang up)\\b`);

interface ErrorLike {
  message?: unknown;
  name?: unknown;
  code?: unknown;
  cause?: unknown;
  errors?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

function isUnavailableOne(err: ErrorLike): boolean {
  if (typeof err.name === 'string' && UNAVAILABLE_NAMES.has(err.name)) return true;
  if (typeof err.code === 'string' && NETWORK_CODES.has(err.code)) return true;
  if (typeof err.message === 'string' && NETWORK_MESSAGE.test(err.message)) return true;
  const status = err.$metadata?.httpStatusCode;
  if (typeof status === 'number' && status >= 500) return true;
  return err.$fault === 'server';
}

/**
 * Whether an error (an AWS SDK error, or an ElectroDB error wrapping one in `cause`) means storage
 * is unavailable (throttled, unreachable, timing out, 5xx) rather than a bug in the request.
 */
export function isStorageUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const e = queue.shift();
    if (e === null || typeof e !== 'object' || seen.has(e) || seen.size > 20) continue;
    seen.add(e);
    const err = e as ErrorLike;
    if (isUnavailableOne(err)) return true;
    if (err.cause !== undefined) queue.push(err.cause);
    if (Array.isArray(err.errors)) queue.push(...(err.errors as unknown[])); // AggregateError
  }
  return false;
}

const KIND_OF_NAME: Record<string, StorageErrorKind> = {
  ProvisionedThroughputExceededException: 'throttled',
  ThrottlingException: 'throttled',
  RequestLimitExceeded: 'throttled',
  ThrottlingError: 'throttled',
  LimitExceededException: 'throttled',
  TransactionConflictException: 'conflict',
  TransactionInProgressException: 'conflict',
  TimeoutError: 'timeout',
  RequestTimeout: 'timeout',
  RequestTimeoutException: 'timeout',
  AbortError: 'timeout',
  InternalServerError: 'server',
  InternalFailure: 'server',
  ServiceUnavailable: 'server',
  ServiceUnavailableException: 'server',
  ResourceNotFoundException: 'missing_table',
  CredentialsProviderError: 'credentials',
};
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT']);

function kindOfOne(err: ErrorLike): StorageErrorKind | undefined {
  if (typeof err.name === 'string' && Object.hasOwn(KIND_OF_NAME, err.name)) return KIND_OF_NAME[err.name];
  if (typeof err.code === 'string' && NETWORK_CODES.has(err.code))
    return TIMEOUT_CODES.has(err.code) ? 'timeout' : 'network';
  if (typeof err.message === 'string' && NETWORK_MESSAGE.test(err.message)) return 'network';
  const status = err.$metadata?.httpStatusCode;
  if ((typeof status === 'number' && status >= 500) || err.$fault === 'server') return 'server';
  return undefined;
}

/**
 * The kind of a failed storage call (the error itself, or one it wraps in `cause` / `errors`):
 * throttled, conflict, timeout, network, server (5xx), missing_table, credentials, or `other`
 * (a request DynamoDB refused: a bug rather than an outage).
 */
export function storageErrorKind(error: unknown): StorageErrorKind {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const e = queue.shift();
    if (e === null || typeof e !== 'object' || seen.has(e) || seen.size > 20) continue;
    seen.add(e);
    const err = e as ErrorLike;
    const kind = kindOfOne(err);
    if (kind) return kind;
    if (err.cause !== undefined) queue.push(err.cause);
    if (Array.isArray(err.errors)) queue.push(...(err.errors as unknown[]));
  }
  return 'other';
}

/** Told the kind of every storage call that failed (after the SDK's retries). */
export type StorageErrorListener = (kind: StorageErrorKind) => void;

/** Maps unavailability to the domain's StorageUnavailableError; anything else is rethrown as is. */
export function toDomainError(error: unknown): unknown {
  if (error instanceof StorageUnavailableError) return error;
  if (isStorageUnavailable(error)) return new StorageUnavailableError(undefined, { cause: error });
  return error;
}

/** Runs a storage call, translating unavailability into StorageUnavailableError (and telling `onError`). */
export async function guard<T>(call: () => Promise<T>, onError?: StorageErrorListener): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (onError) onError(storageErrorKind(error));
    throw toDomainError(error);
  }
}
