// The few parts of oidc-provider 9 that the bench uses (the package ships no type declarations,
// and @types/oidc-provider is not installed). Kept narrow on purpose.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  interface ResourceServerInfo {
    scope: string;
    audience?: string;
    accessTokenFormat?: 'opaque' | 'jwt';
    accessTokenTTL?: number;
    jwt?: { sign?: { alg?: string } };
  }

  interface Configuration {
    clients?: Record<string, unknown>[];
    jwks?: { keys: Record<string, unknown>[] };
    scopes?: string[];
    clientDefaults?: Record<string, unknown>;
    ttl?: Record<string, number>;
    features?: {
      devInteractions?: { enabled: boolean };
      clientCredentials?: { enabled: boolean };
      resourceIndicators?: {
        enabled: boolean;
        defaultResource?: (ctx: unknown, client: unknown, oneOf?: string[]) => Promise<string | string[] | undefined>;
        useGrantedResource?: (ctx: unknown, model: unknown) => Promise<boolean>;
        getResourceServerInfo?: (ctx: unknown, resourceIndicator: string, client: unknown) => Promise<ResourceServerInfo>;
      };
    };
  }

  class Provider {
    constructor(issuer: string, configuration?: Configuration);
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    static errors: { InvalidTarget: new (description?: string) => Error };
  }

  export default Provider;
}
