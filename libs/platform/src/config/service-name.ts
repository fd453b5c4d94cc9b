/** Injection token for the running service's name ("reader" or "writer"), used in logs and OpenAPI. */
export const SERVICE_NAME = Symbol('SERVICE_NAME');
