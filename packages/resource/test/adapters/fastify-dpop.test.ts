// RFC 9449 DPoP through the Fastify adapter, from the attacker's side over HTTP.
import { dpopApiSuite } from '../helpers/dpop-api-suite.ts';
import { startFastifyApi } from '../helpers/protected-apis.ts';

dpopApiSuite('Fastify', startFastifyApi);
