// SQL identifiers of the stand-ins' own Postgres schemas (the simulator's and the ML platform's).

/** Quotes an identifier that config parsing already restricted to [a-z0-9_]. */
export function quoteIdent(identifier: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(identifier)) throw new Error(`unsafe SQL identifier: ${identifier}`);
  return `"${identifier}"`;
}
