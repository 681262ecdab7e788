// Preload (`node --import`) that counts the SQL statements a process sends through `pg` (Prisma's
// adapter and the simulator both use it), by statement text. Every 200 ms the counts so far are
// written to <tmpdir>/bench-query-counts/<entry>-<pid>.json, so a benchmark can diff two snapshots
// (bench/lib/query-counts.ts). Not a signal: the services' shutdown handlers take SIGUSR2. Plain JS: it runs before tsx is loaded.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

{
  const dir = join(tmpdir(), 'bench-query-counts');
  const pg = createRequire(import.meta.url)('pg');
  const counts = new Map();
  let statements = 0;
  let written = -1;
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function countedQuery(config, ...rest) {
    const text = typeof config === 'string' ? config : (config?.text ?? '(unknown)');
    const key = text.replace(/\s+/g, ' ').trim().slice(0, 200);
    counts.set(key, (counts.get(key) ?? 0) + 1);
    statements++;
    return query.call(this, config, ...rest);
  };
  const entry = basename(process.argv[1] ?? 'node').replace(/\.[cm]?[jt]s$/, '');
  mkdirSync(dir, { recursive: true });
  setInterval(() => {
    if (written === statements) return;
    written = statements;
    writeFileSync(join(dir, `${entry}-${process.pid}.json`), JSON.stringify(Object.fromEntries(counts)));
  }, 200).unref();
}
