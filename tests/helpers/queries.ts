/** What SQL the app runs: records every query a Kysely instance executes while `fn` runs. */
import type { Kysely } from 'kysely';

export async function queriesDuring<T>(
  kysely: Kysely<any>,
  fn: () => Promise<T>,
): Promise<{ result: T; queries: { sql: string; parameters: readonly unknown[] }[] }> {
  const executor = kysely.getExecutor();
  const original = executor.executeQuery;
  const queries: { sql: string; parameters: readonly unknown[] }[] = [];
  executor.executeQuery = function (this: typeof executor, query, ...rest) {
    queries.push({ sql: query.sql, parameters: query.parameters });
    return original.call(this, query, ...rest);
  } as typeof original;
  try {
    return { result: await fn(), queries };
  } finally {
    executor.executeQuery = original;
  }
}
