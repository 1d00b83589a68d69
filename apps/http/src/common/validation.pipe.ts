import { ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';
import { ValidateIf } from 'class-validator';
import { InvalidRequestError, type FieldProblem } from '#core-domain';

function flatten(errors: ValidationError[], prefix = ''): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const e of errors) {
    const field = prefix
      ? /^\d+$/.test(e.property)
        ? `${prefix}[${e.property}]`
        : `${prefix}.${e.property}`
      : e.property;
    for (const [rule, text] of Object.entries(e.constraints ?? {})) {
      out.push({
        field,
        message: rule === 'whitelistValidation' ? 'is not a known field' : text.replace(/^\S+ /, ''),
      });
    }
    if (e.children?.length) out.push(...flatten(e.children, field));
  }
  return out;
}

/** An optional field: it may be omitted, but when present (even null) it is validated. */
export const Omittable = () => ValidateIf((_object: unknown, value: unknown) => value !== undefined);

/** Deepest JSON nesting a body may have (our bodies need 4); deeper input is refused before any recursion. */
export const MAX_BODY_DEPTH = 16;

/** True when `value` nests objects/arrays more than `max` levels (recursion stops at `max`). */
function depthExceeds(value: unknown, max: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (max <= 0) return true;
  for (const k in value) {
    if (Object.hasOwn(value, k) && depthExceeds((value as Record<string, unknown>)[k], max - 1)) return true;
  }
  return false;
}

/**
 * What every body must be before any field is looked at: a JSON object nesting at most
 * MAX_BODY_DEPTH levels (else 400 on the field "(body)"). The pipe below runs it on every body; the
 * hot routes of runtime.fast-routes.ts run it themselves.
 */
export function checkBodyShape(value: unknown): asserts value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidRequestError([{ field: '(body)', message: 'must be a JSON object' }]);
  }
  if (depthExceeds(value, MAX_BODY_DEPTH)) {
    throw new InvalidRequestError([
      { field: '(body)', message: `must not nest deeper than ${MAX_BODY_DEPTH} levels` },
    ]);
  }
}

/**
 * class-validator on every body: unknown fields refused, no type coercion, every problem listed in
 * `details.fields`. A body that is not a JSON object is refused before class-validator sees it.
 */
export class StrictValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      transform: true,
      transformOptions: { enableImplicitConversion: false },
      validationError: { target: false, value: false },
      exceptionFactory: (errors) => new InvalidRequestError(flatten(errors)),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body') checkBodyShape(value);
    return super.transform(value, metadata);
  }
}
