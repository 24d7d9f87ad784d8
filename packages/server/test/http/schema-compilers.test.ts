// Fastify's schema compilers loaded on first use (http/schema-compilers.ts): the server starts and answers without
// them; a route that declares a schema still gets Fastify's validation and serialization. The first test must run
// before anything in this process compiles a schema (node:test runs a file's tests in order, each file in its own process).
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { lazySchemaCompilers, schemaCompilersLoaded } from '../../src/http/schema-compilers.ts';
import { addApi, addClient, basic, form, FORM_HEADERS, startTestServer } from '../helpers/test-server.ts';

/** Whether Ajv's code is in this process's CommonJS module cache. */
function ajvInCache(): boolean {
  const cache = createRequire(import.meta.url).cache;
  return Object.keys(cache).some((path) => /[\\/]node_modules[\\/]ajv[\\/]/.test(path));
}

describe('schema compilers loaded on first use', () => {
  it('a Latchkey server starts and issues a token without loading Ajv', async () => {
    const server = await startTestServer({ logLevel: 'silent' });
    try {
      await addApi(server, 'https://contacts.example', { 'contacts:read': 'read your contacts' });
      const client = (await addClient(server, { name: 'sync', grantTypes: ['client_credentials'], scope: 'contacts:read' })) as { id: string; secret: string };
      const res = await server.app.inject({ method: 'POST', url: '/token', headers: { ...FORM_HEADERS, authorization: basic(client.id, client.secret) }, payload: form({ grant_type: 'client_credentials' }) });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(schemaCompilersLoaded(), false);
      assert.equal(ajvInCache(), false, 'Ajv was loaded');
    } finally {
      await server.close();
    }
  });

  it('a route with a schema is validated and serialized by Fastify\'s own compilers, loaded then', async () => {
    const app = Fastify({ schemaController: { compilersFactory: lazySchemaCompilers } });
    app.post('/echo', {
      schema: {
        body: { type: 'object', required: ['name'], properties: { name: { type: 'string', maxLength: 5 } } },
        response: { 200: { type: 'object', properties: { name: { type: 'string' } } } },
      },
    }, async (request) => ({ name: (request.body as { name: string }).name, secret: 'not in the response schema' }));
    try {
      const ok = await app.inject({ method: 'POST', url: '/echo', payload: { name: 'ada' } });
      assert.equal(ok.statusCode, 200);
      assert.equal(ok.body, '{"name":"ada"}', 'serialized by the response schema: extra properties dropped');
      const missing = await app.inject({ method: 'POST', url: '/echo', payload: {} });
      assert.equal(missing.statusCode, 400);
      const tooLong = await app.inject({ method: 'POST', url: '/echo', payload: { name: 'abcdefgh' } });
      assert.equal(tooLong.statusCode, 400);
      assert.equal(schemaCompilersLoaded(), true);
      assert.equal(ajvInCache(), true);
    } finally {
      await app.close();
    }
  });
});
