import { registerDecorator, type ValidationOptions } from 'class-validator';
import { normalizeIsbn } from '#libs/contracts';

export const trimString = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);

/** Hyphens and spaces dropped, ISBN-10 converted to ISBN-13; invalid input is left as is for the validator. */
export const normalizeIsbnInput = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? (normalizeIsbn(value) ?? value) : value;

export function IsIsbn(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isIsbn',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: 'isbn must be a valid ISBN-10 or ISBN-13 (checksum included)', ...options },
      validator: {
        validate: (value: unknown) => typeof value === 'string' && /^97[89]\d{10}$/.test(value) && normalizeIsbn(value) === value,
      },
    });
}
