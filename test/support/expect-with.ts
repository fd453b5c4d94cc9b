import { expect } from '@jest/globals';

/**
 * `expect(value)` whose failure message starts with `context` (a command's output, the request that
 * failed): Jest's `expect` takes one argument, and a bare "expected 0, received 3" hides why.
 */
export function expectWith<T>(value: T, context: string): ReturnType<typeof expect<T>> {
  const withContext = (error: unknown): never => {
    if (error instanceof Error) error.message = `${context}\n\n${error.message}`;
    throw error;
  };
  const wrap = (target: object): any =>
    new Proxy(target, {
      get(object, property, receiver) {
        const member = Reflect.get(object, property, receiver);
        if (typeof member === 'function') {
          return (...args: unknown[]) => {
            try {
              const result = member.apply(object, args);
              return result instanceof Promise ? result.catch(withContext) : result;
            } catch (error) {
              return withContext(error);
            }
          };
        }
        return member !== null && typeof member === 'object' ? wrap(member) : member;
      },
    });
  return wrap(expect(value));
}
