// @latchkey/server public API: createServer and its configuration. Internal wiring (Store, ServerContext, the
// registration functions behind the CLI) is not exported; in this repository it is `@latchkey/server/internal`.
export { createServer, type CreateServerOptions } from './http/app.ts';
export { resolveConfig, configFromEnv, configFromFile, ConfigError, DEFAULTS, type ServerConfig, type ConfigInput } from './config/config.ts';
