// RFC 9728 metadata and RFC 8707 audience through the Fastify adapter, from the attacker's side over HTTP.
import { resourceMetadataSuite } from '../helpers/resource-metadata-suite.ts';
import { startFastifyApi } from '../helpers/protected-apis.ts';

resourceMetadataSuite('Fastify', startFastifyApi);
