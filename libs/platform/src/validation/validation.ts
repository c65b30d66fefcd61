import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { ValidationProblem, type FieldError } from '../errors/problem';

/**
 * class-validator's error tree → one entry per failed constraint, with the path of the field:
 * `parties[0].country`, `targets[2].amount`, `title`.
 */
export function flattenValidationErrors(errors: readonly ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = /^\d+$/.test(error.property)
      ? `${parent}[${error.property}]`
      : parent
        ? `${parent}.${error.property}`
        : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({
      field,
      // forbidNonWhitelisted says "property x should not exist": say what to do.
      message: message.replace(/^property (\S+) should not exist$/, '$1 is not a known field: remove it'),
    }));
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

/**
 * The global pipe: unknown fields are refused (not silently dropped), DTOs are instantiated, errors become a 400
 * problem with field paths. Request values are not implicitly converted: a query DTO says `@Type(() => Number)`.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new ValidationProblem(flattenValidationErrors(errors)),
  });
}
