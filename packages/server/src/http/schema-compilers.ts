// Fastify loads Ajv (route validation) and fast-json-stringify (response serialization) when an app is created, for
// route schemas. Latchkey's routes declare none (they parse forms with FormParams and answer with JSON.stringify), so
// both are loaded on first use instead: ~16 MiB of memory and tens of milliseconds less at every start. A route that
// declares a schema gets Fastify's own compilers, loaded then, from Fastify's own dependencies.
// One difference from the default: Fastify treats a factory given here as a custom compiler, and passes a `headers`
// schema unchanged instead of lower-casing its property names first; write header names in lower case.
import { createRequire } from 'node:module';
import type { FastifyServerOptions } from 'fastify';

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;
type ValidatorFactory = NonNullable<CompilersFactory['buildValidator']>;
type SerializerFactory = NonNullable<CompilersFactory['buildSerializer']>;

/** Fastify's dependencies, resolved from where Fastify is installed (they are not ours). */
const fromFastify = createRequire(createRequire(import.meta.url).resolve('fastify'));

let validatorFactory: ValidatorFactory | undefined;
let serializerFactory: SerializerFactory | undefined;

/** Whether a route schema has made this process load Ajv (for the tests). */
export function schemaCompilersLoaded(): boolean {
  return validatorFactory !== undefined || serializerFactory !== undefined;
}

export const lazySchemaCompilers: CompilersFactory = {
  buildValidator: ((...args: Parameters<ValidatorFactory>) => {
    validatorFactory ??= (fromFastify('@fastify/ajv-compiler') as () => ValidatorFactory)();
    return (validatorFactory as (...a: Parameters<ValidatorFactory>) => ReturnType<ValidatorFactory>)(...args);
  }) as ValidatorFactory,
  buildSerializer: ((...args: Parameters<SerializerFactory>) => {
    serializerFactory ??= (fromFastify('@fastify/fast-json-stringify-compiler') as () => SerializerFactory)();
    return serializerFactory(...args);
  }) as SerializerFactory,
};
