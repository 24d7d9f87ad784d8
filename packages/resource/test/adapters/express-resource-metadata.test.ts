// RFC 9728 metadata and RFC 8707 audience through the Express adapter, from the attacker's side over HTTP.
import { resourceMetadataSuite } from '../helpers/resource-metadata-suite.ts';
import { startExpressApi } from '../helpers/protected-apis.ts';

resourceMetadataSuite('Express', startExpressApi);
