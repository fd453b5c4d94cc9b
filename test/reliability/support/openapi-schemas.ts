import { Ajv, type ValidateFunction } from 'ajv';

type Schema = Record<string, unknown>;

/** OpenAPI 3.0 schemas are almost JSON Schema: `nullable` becomes a null alternative, `example` is dropped. */
function toJsonSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toJsonSchema);
  if (typeof schema !== 'object' || schema === null) return schema;
  const { nullable, example: _example, ...rest } = schema as Schema;
  const converted = Object.fromEntries(Object.entries(rest).map(([key, value]) => [key, toJsonSchema(value)]));
  if (!nullable) return converted;
  return { anyOf: [converted, { type: 'null' }] };
}

/** Validators for the response schemas a service documents, looked up by operation and status. */
export class ResponseSchemas {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });

  constructor(
    private readonly name: string,
    private readonly document: any,
  ) {
    this.ajv.addSchema({ $id: name, components: toJsonSchema(document.components ?? {}) });
  }

  /** Every documented status for an operation ("default" excluded). */
  documentedStatuses(path: string, method: string): number[] {
    const responses = this.document.paths[path]?.[method]?.responses ?? {};
    return Object.keys(responses)
      .filter((key) => /^\d{3}$/.test(key))
      .map(Number);
  }

  validator(path: string, method: string, status: number): ValidateFunction | undefined {
    const schema = this.document.paths[path]?.[method]?.responses?.[String(status)]?.content?.['application/json']?.schema;
    if (!schema) return undefined;
    const rewritten = JSON.parse(JSON.stringify(toJsonSchema(schema)).replaceAll('"#/components/', `"${this.name}#/components/`));
    return this.ajv.compile(rewritten);
  }
}
