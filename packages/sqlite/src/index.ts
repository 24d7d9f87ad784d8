export { NodeSqliteDialect, openSqliteDatabase } from './node-sqlite-dialect.ts';
export type { NodeSqliteOptions } from './node-sqlite-dialect.ts';
