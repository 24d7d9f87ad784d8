// RFC 6750 / RFC 9068 behaviour of the Express adapter, from the attacker's side over HTTP.
import { bearerApiSuite } from '../helpers/bearer-api-suite.ts';
import { startExpressApi } from '../helpers/protected-apis.ts';

bearerApiSuite('Express', startExpressApi);
