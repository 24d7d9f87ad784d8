// The same with CommonJS `require` (Node's require(esm)): no entry point may use top-level await.
const kinds = (m) => Object.fromEntries(Object.keys(m).filter((k) => k !== 'default' && k !== 'module.exports').sort().map((k) => [k, typeof m[k]]));
console.log(JSON.stringify({
  resource: kinds(require('@latchkey/resource')), 'resource/fastify': kinds(require('@latchkey/resource/fastify')),
  'resource/express': kinds(require('@latchkey/resource/express')), client: kinds(require('@latchkey/client')),
  'client/fastify': kinds(require('@latchkey/client/fastify')), 'client/express': kinds(require('@latchkey/client/express')),
  server: kinds(require('@latchkey/server')), sqlite: kinds(require('@latchkey/sqlite')),
}));
