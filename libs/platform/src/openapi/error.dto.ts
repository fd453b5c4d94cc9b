import type { ErrorBody } from '../http/error-response.js';

/** The error shape (docs/http-contract.md#errors; ErrorBody), for OpenAPI: every 4xx and 5xx a service answers has this body. */
export class ErrorDto implements ErrorBody {
  /** @example 400 */
  statusCode!: number;
  /** @example "Bad Request" */
  error!: string;
  /** @example "title should not be empty" */
  message!: string;
  /** The request's id, as in the X-Request-Id response header. @example "5f0c9a4e-3b1d-4c1e-9a57-2b8f0e4d6c11" */
  requestId!: string;
}
