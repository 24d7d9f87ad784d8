// What a user must not reach or need: the server's internal wiring, and pg for anyone who does not use PostgreSQL.
import { createRequire } from 'node:module';
import { createPostgresStore } from '@latchkey/client';

const require = createRequire(import.meta.url);
const result = {};
try {
  require.resolve('@latchkey/server/internal');
} catch (error) {
  result.internal = error.code;
}
try {
  createPostgresStore({ connectionString: 'postgres://127.0.0.1:1/none' });
} catch (error) {
  result.pg = error.message;
}
result.manifest = require('@latchkey/resource/package.json').name;
console.log(JSON.stringify(result));
