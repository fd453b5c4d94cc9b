import { maxHeaderSize } from 'node:http';
import type { HeaderObject, OpenAPIObject, OperationObject, ParameterObject, ReferenceObject, ResponseObject } from '@nestjs/swagger';
import { SAFE_REQUEST_ID } from '../logging/request-id.js';
import { HTTP_LIMITS } from '../http/http-limits.js';
import { ErrorDto } from './error.dto.js';

/** A response header for the controllers' decorators: OpenAPI 3.0 requires its `schema`. */
export function responseHeader(description: string): HeaderObject {
  return { description, schema: { type: 'string' } };
}

const ERROR_CONTENT = { 'application/json': { schema: { $ref: `#/components/schemas/${ErrorDto.name}` } } };
const REQUEST_ID_HEADER: ReferenceObject = { $ref: '#/components/headers/X-Request-Id' };
const RETRY_AFTER_HEADER: ReferenceObject = { $ref: '#/components/headers/Retry-After' };
const REQUEST_ID_PARAMETER: ReferenceObject = { $ref: '#/components/parameters/X-Request-Id' };

const COMPONENTS = {
  headers: {
    'X-Request-Id': {
      description: "The request's id, also `requestId` in error bodies",
      schema: { type: 'string', pattern: SAFE_REQUEST_ID.source },
    },
    'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'string', example: '1' } },
  } satisfies Record<string, HeaderObject>,
  parameters: {
    'X-Request-Id': {
      name: 'X-Request-Id',
      in: 'header',
      required: false,
      description:
        'Echoed in the X-Request-Id response header and logged when it is 1–128 characters of [A-Za-z0-9._:-]; ' +
        "anything else is replaced by a generated id (never echoed or logged). Without it: the Root of the ALB's " +
        'X-Amzn-Trace-Id, else a UUID.',
      schema: { type: 'string' },
    },
  } satisfies Record<string, ParameterObject>,
};

type Method = 'get' | 'put' | 'post' | 'delete' | 'patch' | 'head';
const METHODS_WITH_BODY = new Set<Method>(['post', 'put', 'patch', 'delete']);

/**
 * The statuses the HTTP layer answers before or around a route's handler, with the operations they apply to.
 * Each one is answered in the error shape (ErrorDto).
 */
const HTTP_LAYER_RESPONSES: Array<{
  status: number;
  description: string;
  appliesTo: (method: Method, hasPathParameters: boolean) => boolean;
}> = [
  { status: 400, description: 'Malformed request', appliesTo: () => true },
  {
    status: 408,
    description: `The request was not received within ${HTTP_LIMITS.requestTimeoutMs / 1000} s`,
    appliesTo: () => true,
  },
  {
    status: 413,
    description: `Request body over ${HTTP_LIMITS.bodyLimitBytes / 1024} KiB`,
    appliesTo: (method) => METHODS_WITH_BODY.has(method),
  },
  { status: 414, description: 'A path parameter over 100 characters', appliesTo: (_method, hasPathParameters) => hasPathParameters },
  {
    status: 415,
    description: 'A request body that is not application/json',
    appliesTo: (method) => METHODS_WITH_BODY.has(method),
  },
  {
    status: 431,
    description: `Request line and header fields over ${maxHeaderSize / 1024} KiB`,
    appliesTo: () => true,
  },
  { status: 500, description: 'Unexpected server error (a bug); no details are disclosed', appliesTo: () => true },
  {
    status: 503,
    description: 'The database is unavailable, or the service is shutting down; retry',
    appliesTo: () => true,
  },
];

function isReference(value: unknown): value is ReferenceObject {
  return typeof value === 'object' && value !== null && '$ref' in value;
}

/** HEAD is served for every GET route (Fastify's exposeHeadRoutes): the GET's statuses and headers, no body. */
function headOf(get: OperationObject): OperationObject {
  const responses = Object.fromEntries(
    Object.entries(get.responses).map(([status, response]) => {
      if (isReference(response)) return [status, response];
      const { content: _content, ...withoutBody } = response as ResponseObject;
      return [status, withoutBody];
    }),
  );
  return {
    ...get,
    operationId: get.operationId ? `${get.operationId}_head` : undefined,
    summary: get.summary ? `${get.summary} (headers only)` : 'As GET, headers only',
    responses,
  };
}

/**
 * The statuses, methods and headers the HTTP layer adds to what the controllers declare, added to the
 * document once here rather than on every controller: HEAD operations; 400, 408, 431, 500 and 503 on every
 * operation, 413 and 415 where a body can be sent, 414 where a path has parameters; X-Request-Id on every
 * response (and as a request parameter); Retry-After on 503. A status a controller documents keeps its
 * description and body.
 */
export function documentHttpLayer(document: OpenAPIObject): OpenAPIObject {
  const components = (document.components ??= {});
  components.headers = { ...components.headers, ...COMPONENTS.headers };
  components.parameters = { ...components.parameters, ...COMPONENTS.parameters };
  for (const pathItem of Object.values(document.paths)) {
    if (pathItem.get && !pathItem.head) pathItem.head = headOf(pathItem.get);
    for (const method of ['get', 'put', 'post', 'delete', 'patch', 'head'] as const) {
      const operation = pathItem[method];
      if (!operation) continue;
      const parameters = operation.parameters ?? [];
      const hasPathParameters = parameters.some((parameter) => !isReference(parameter) && parameter.in === 'path');
      operation.parameters = [...parameters, REQUEST_ID_PARAMETER];
      for (const { status, description, appliesTo } of HTTP_LAYER_RESPONSES) {
        if (!appliesTo(method, hasPathParameters) || operation.responses[status]) continue;
        operation.responses[status] = method === 'head' ? { description } : { description, content: ERROR_CONTENT };
      }
      for (const [status, response] of Object.entries(operation.responses)) {
        if (!response || isReference(response)) continue;
        response.headers = { ...response.headers, 'X-Request-Id': REQUEST_ID_HEADER };
        if (status === '503') response.headers['Retry-After'] = RETRY_AFTER_HEADER;
      }
    }
  }
  return document;
}
