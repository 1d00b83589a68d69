/**
 * Domain errors. Each carries the wire error code of the API (openapi/openapi.json, ErrorBody) so the HTTP edge can map it
 * without knowing every subclass. One level of subclasses, no deeper.
 */
export type ErrorCode =
  | 'INVALID_REQUEST'
  | 'INVALID_CONFIG'
  | 'INVALID_MODEL_LABEL'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'QUOTA_EXCEEDED'
  | 'SERVICE_UNAVAILABLE';

export interface FieldProblem {
  field: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad input: wrong types, missing or unknown fields, bad formats. `details.fields` lists each problem. */
export class InvalidRequestError extends DomainError {
  constructor(
    readonly fields: FieldProblem[],
    message = 'The request is invalid',
    extra?: Record<string, unknown>,
  ) {
    super('INVALID_REQUEST', message, { fields, ...extra });
  }
}

/** A configuration that cannot work. */
export class InvalidConfigError extends DomainError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('INVALID_CONFIG', message, details);
  }
}

export class InvalidModelLabelError extends DomainError {
  constructor(label: string, configuredLabels: string[]) {
    super('INVALID_MODEL_LABEL', `Model label '${label}' is not configured for this app`, {
      configured_labels: configuredLabels,
    });
  }
}

export class UnauthorizedError extends DomainError {
  constructor(message = 'Invalid or missing credentials') {
    super('UNAUTHORIZED', message);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message = 'This credential may not act on this resource') {
    super('FORBIDDEN', message);
  }
}

export class NotFoundError extends DomainError {
  constructor(message: string) {
    super('NOT_FOUND', message);
  }
}

export class AlreadyExistsError extends DomainError {
  constructor(message: string) {
    super('ALREADY_EXISTS', message);
  }
}

/** Every label in the ordering is exhausted for the org day. */
export class QuotaExceededError extends DomainError {
  constructor(
    readonly retryAfter: string,
    details: Record<string, unknown>,
  ) {
    super('QUOTA_EXCEEDED', 'Every model quota is exhausted for today', details);
  }
}

/** Storage unreachable or throttled after retries. The API answers 503. */
export class StorageUnavailableError extends DomainError {
  constructor(message = 'Storage is unavailable, try again shortly', options?: { cause?: unknown }) {
    super('SERVICE_UNAVAILABLE', message);
    if (options?.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
  }
}

/** Collects field problems and throws one InvalidRequestError listing all of them. */
export class FieldProblems {
  readonly list: FieldProblem[] = [];
  add(field: string, message: string): void {
    this.list.push({ field, message });
  }
  get empty(): boolean {
    return this.list.length === 0;
  }
  throwIfAny(message?: string): void {
    if (this.list.length > 0) throw new InvalidRequestError(this.list, message);
  }
}
