// RFC 7591 /register and RFC 7592 /register/:clientId, registered only when dynamic registration is enabled. They take
// JSON (the only JSON bodies the server reads, parsed in this scope alone) and answer JSON; a missing or wrong bearer
// token (initial access token, registration access token) is answered with WWW-Authenticate (RFC 6750 §3).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  deleteDynamicClient, readDynamicClient, registerDynamicClient, updateDynamicClient, type RegistrationAnswer, type RegistrationHttpRequest,
} from '../endpoints/register.ts';
import { InvalidClientMetadata, OAuthError } from '../oauth/errors.ts';
import { RegistrationLimit } from '../rate-limits/registration-limit.ts';
import type { ServerContext } from '../server-context.ts';
import { sendBearerError } from './error-response.ts';
import { PATHS } from './paths.ts';

const JSON_BODY_LIMIT = 16 * 1024;

const input = (request: FastifyRequest): RegistrationHttpRequest => ({ ip: request.ip, authorization: request.headers.authorization, body: request.body });

async function answer(request: FastifyRequest, reply: FastifyReply, work: () => Promise<RegistrationAnswer>): Promise<FastifyReply> {
  let result: RegistrationAnswer;
  try {
    result = await work();
  } catch (error) {
    if (error instanceof OAuthError && error.code === 'invalid_token') {
      return sendBearerError(error, request, reply, { credentialsPresented: request.headers.authorization !== undefined });
    }
    throw error;
  }
  reply.header('cache-control', 'no-store').header('pragma', 'no-cache').code(result.status);
  return result.body ? reply.send(result.body) : reply.send();
}

export function registerRegistrationRoutes(app: FastifyInstance, ctx: ServerContext): void {
  if (!ctx.config.dynamicRegistration) return;
  const limit = new RegistrationLimit(ctx.config, ctx.store);
  void app.register(async (scope) => {
    scope.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: JSON_BODY_LIMIT }, (_request, body, done) => {
      try {
        done(null, JSON.parse(body as string));
      } catch {
        done(new InvalidClientMetadata('the request body is not valid JSON'), undefined);
      }
    });
    type WithId = FastifyRequest<{ Params: { clientId: string } }>;
    scope.post(PATHS.registration, (request, reply) => answer(request, reply, () => registerDynamicClient(ctx, limit, input(request))));
    scope.get(PATHS.registrationClient, (request: WithId, reply) => answer(request, reply, () => readDynamicClient(ctx, request.params.clientId, input(request))));
    scope.put(PATHS.registrationClient, (request: WithId, reply) => answer(request, reply, () => updateDynamicClient(ctx, request.params.clientId, input(request))));
    scope.delete(PATHS.registrationClient, (request: WithId, reply) => answer(request, reply, () => deleteDynamicClient(ctx, request.params.clientId, input(request))));
  });
}
