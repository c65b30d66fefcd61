/** `@IsTimeZone()`: an IANA time zone name that this runtime's Intl knows (what the digest's clock needs). */
import { registerDecorator, type ValidationOptions } from 'class-validator';

export function isTimeZone(value: unknown): boolean {
  if (typeof value !== 'string' || value.length === 0) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

export function IsTimeZone(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({ name: 'isTimeZone', target: target.constructor, propertyName: String(propertyName), options, validator: { validate: isTimeZone } });
}
