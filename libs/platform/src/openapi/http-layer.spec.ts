import { describe, expect, it } from '@jest/globals';
import type { OpenAPIObject } from '@nestjs/swagger';
import { documentHttpLayer, responseHeader } from './http-layer.js';

function sample(): OpenAPIObject {
  return {
    openapi: '3.0.0',
    info: { title: 't', version: '1' },
    paths: {
      '/things': {
        get: { operationId: 'list', summary: 'List', responses: { '200': { description: 'ok', content: { 'application/json': {} } } } },
        post: { responses: { '201': { description: 'made', headers: { Location: responseHeader('where') } } } },
      },
      '/things/{id}': {
        get: {
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '200': { description: 'ok' }, '503': { description: 'Not ready' } },
        },
      },
    },
  };
}

describe('documentHttpLayer', () => {
  const document = documentHttpLayer(sample());
  const statuses = (path: string, method: string) => Object.keys((document.paths as any)[path][method].responses);

  it('adds HEAD for every GET, with the GET statuses and no bodies', () => {
    const head = (document.paths as any)['/things'].head;
    expect(head.operationId).toBe('list_head');
    expect(head.responses['200'].content).toBeUndefined();
    expect(head.responses['431']).toEqual({ description: expect.any(String), headers: expect.any(Object) });
    expect(document.paths['/things/{id}']!.head).toBeDefined();
  });

  it('lists 413/415 only where a body can be sent and 414 only where the path has a parameter', () => {
    expect(statuses('/things', 'post')).toEqual(expect.arrayContaining(['201', '400', '408', '413', '415', '431', '500', '503']));
    expect(statuses('/things', 'get')).not.toContain('413');
    expect(statuses('/things', 'get')).not.toContain('414');
    expect(statuses('/things/{id}', 'get')).toContain('414');
  });

  it('keeps what a controller declared, and puts X-Request-Id on every response and Retry-After on 503', () => {
    const ready = (document.paths as any)['/things/{id}'].get.responses['503'];
    expect(ready.description).toBe('Not ready');
    expect(Object.keys(ready.headers)).toEqual(['X-Request-Id', 'Retry-After']);
    const created = (document.paths as any)['/things'].post.responses['201'];
    expect(Object.keys(created.headers)).toEqual(['Location', 'X-Request-Id']);
    expect(document.components!.headers!['X-Request-Id']).toMatchObject({
      schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' },
    });
  });

  it('gives every header a schema (OpenAPI 3.0 requires one)', () => {
    for (const item of Object.values(document.paths) as any[]) {
      for (const operation of Object.values(item) as any[]) {
        for (const response of Object.values(operation.responses) as any[]) {
          for (const header of Object.values(response.headers ?? {}) as any[]) expect(header.$ref ?? header.schema).toBeDefined();
        }
      }
    }
  });
});
