// Imports every entry point of the installed packages with ESM `import` and prints what each one exports.
import * as resource from '@latchkey/resource';
import * as resourceFastify from '@latchkey/resource/fastify';
import * as resourceExpress from '@latchkey/resource/express';
import * as client from '@latchkey/client';
import * as clientFastify from '@latchkey/client/fastify';
import * as clientExpress from '@latchkey/client/express';
import * as server from '@latchkey/server';
import * as sqlite from '@latchkey/sqlite';

const kinds = (m) => Object.fromEntries(Object.keys(m).filter((k) => k !== 'default' && k !== 'module.exports').sort().map((k) => [k, typeof m[k]]));
console.log(JSON.stringify({
  resource: kinds(resource), 'resource/fastify': kinds(resourceFastify), 'resource/express': kinds(resourceExpress),
  client: kinds(client), 'client/fastify': kinds(clientFastify), 'client/express': kinds(clientExpress),
  server: kinds(server), sqlite: kinds(sqlite),
}));
