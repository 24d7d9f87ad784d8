// RFC 9449 DPoP through the Express adapter, from the attacker's side over HTTP.
import { dpopApiSuite } from '../helpers/dpop-api-suite.ts';
import { startExpressApi } from '../helpers/protected-apis.ts';

dpopApiSuite('Express', startExpressApi);
