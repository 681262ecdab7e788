// The tables a featurization SQL reads, as Query Service names them: every name after FROM or JOIN
// (comma lists too), without comments and string literals, schema-qualified names by their last
// part, lowercased (Query Service resolves names case-insensitively). Subqueries, CTE names and
// table functions come out as names no dataset carries and are simply not found. This is a
// lexical scan, not a parser (none that reads Data Distiller's dialect is published): its one job
// is to find the datasets whose usage labels a pipeline must be checked against at acceptance.

const clauseEnd = String.raw`\b(?:where|group|order|limit|having|union|intersect|except|join|on|using|left|right|inner|outer|full|cross|natural|lateral|window|qualify|tablesample|select)\b`;
const sourceClause = new RegExp(String.raw`\b(?:from|join)\s+([\s\S]*?)(?=${clauseEnd}|[;()]|$)`, 'gi');
const identifier = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)`;
const qualifiedName = new RegExp(String.raw`^\s*(${identifier}(?:\s*\.\s*${identifier})*)`);

function withoutCommentsAndStrings(sql: string): string {
  return sql
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/'(?:[^']|'')*'/g, "''");
}

function lastPart(name: string): string {
  const parts = name.match(new RegExp(identifier, 'g')) ?? [];
  const last = parts.at(-1) ?? '';
  return (last.startsWith('"') ? last.slice(1, -1).replaceAll('""', '"') : last).toLowerCase();
}

/** Table names the SQL reads from, deduplicated, in order of appearance. */
export function sqlSourceTables(sql: string): string[] {
  const found = new Set<string>();
  for (const match of withoutCommentsAndStrings(sql).matchAll(sourceClause)) {
    for (const item of (match[1] ?? '').split(',')) {
      const name = qualifiedName.exec(item)?.[1];
      if (name !== undefined) found.add(lastPart(name));
    }
  }
  found.delete('');
  return [...found];
}
