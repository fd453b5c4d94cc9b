/** The error shape (docs/http-contract.md#errors), for OpenAPI. */
export class ErrorDto {
  /** @example 400 */
  statusCode!: number;
  /** @example "Bad Request" */
  error!: string;
  /** @example "title should not be empty" */
  message!: string;
}
