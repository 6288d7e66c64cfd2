/**
 * A PostgreSQL URL may carry `?schema=NAME`: the service then keeps its tables in that schema
 * (several services, or test runs, can share one database). The parameter is taken out
 * before the URL reaches the driver.
 */
export function splitSchema(databaseUrl: string): { url: string; schema?: string } {
  const url = new URL(databaseUrl);
  const schema = url.searchParams.get('schema') ?? undefined;
  url.searchParams.delete('schema');
  return { url: url.toString(), ...(schema ? { schema } : {}) };
}
