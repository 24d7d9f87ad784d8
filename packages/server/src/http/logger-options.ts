// pino configuration: JSON lines, a request id on each, and secrets redacted by configuration, not by care.
import type { FastifyServerOptions } from 'fastify';

/** Query parameters whose values never reach a log line. */
const SENSITIVE_PARAMS = /([?&](?:client_secret|code|code_verifier|refresh_token|access_token|id_token|id_token_hint|token|password|state|nonce|login_hint|user_code|device_code)=)[^&]*/gi;

export function redactUrl(url: string): string {
  return url.replace(SENSITIVE_PARAMS, '$1[redacted]');
}

export function loggerOptions(level: string): Exclude<NonNullable<FastifyServerOptions['logger']>, boolean> {
  return {
    level,
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', '*.password', '*.client_secret', '*.refresh_token', '*.access_token', '*.code', '*.device_code', '*.user_code'],
      censor: '[redacted]',
    },
    serializers: {
      req: (req: { id: string; method: string; url: string; ip?: string }) => ({ id: req.id, method: req.method, url: redactUrl(req.url), ip: req.ip }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  };
}
