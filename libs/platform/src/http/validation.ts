import { type ArgumentMetadata, BadRequestException, type ValidationError, ValidationPipe } from '@nestjs/common';
import { registerDecorator, type ValidationOptions } from 'class-validator';
import { forbiddenCharactersMessage, TEXT_RULES, type TextKind } from '#libs/contracts';

/** "title must be shorter than…; property foo should not exist": class-validator's messages name the field. */
function describeValidationErrors(errors: ValidationError[]): string[] {
  return errors.flatMap((error) => Object.values(error.constraints ?? {}));
}

/**
 * Unknown fields are rejected (not silently dropped), values are transformed into DTO instances, and the
 * 400 names every offending field in one message.
 */
class StrictValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // Route params have their own pipes (ParseResourceIdPipe); converting "1e3" to 1000 here first would
    // let malformed ids through.
    if (metadata.type === 'param') return value;
    // A JSON array, string or null is valid JSON but never a valid book.
    if (metadata.type === 'body' && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      throw new BadRequestException('request body must be a JSON object');
    }
    return super.transform(value, metadata);
  }
}

export function createValidationPipe(): ValidationPipe {
  return new StrictValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    stopAtFirstError: true,
    exceptionFactory: (errors) => new BadRequestException(describeValidationErrors(errors).join('; ')),
  });
}

/**
 * A free-text field or query parameter: refused with a 400 naming it when it holds control or bidi
 * formatting characters (the text rule of #libs/contracts). Strings only; the type check is another decorator's.
 */
export function IsFreeText(kind: TextKind, options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isFreeText',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: forbiddenCharactersMessage(String(propertyName), kind), ...options },
      validator: { validate: (value: unknown) => typeof value !== 'string' || TEXT_RULES[kind].test(value) },
    });
}
