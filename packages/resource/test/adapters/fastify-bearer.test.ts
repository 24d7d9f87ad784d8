// RFC 6750 / RFC 9068 behaviour of the Fastify adapter, from the attacker's side over HTTP.
import { bearerApiSuite } from '../helpers/bearer-api-suite.ts';
import { startFastifyApi } from '../helpers/protected-apis.ts';

bearerApiSuite('Fastify', startFastifyApi);
