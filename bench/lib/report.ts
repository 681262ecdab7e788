// How a benchmark reports: a table on stdout and a JSON file under bench/results/ with the
// machine it ran on, so BENCHMARKS.md can quote figures that a rerun reproduces.
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { machineFacts, type MachineFacts } from './machine.js';

const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));

export type Cell = string | number | null;
export type TableRow = Record<string, Cell>;

export function printTable(title: string, rows: TableRow[]): void {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const text = (cell: Cell | undefined): string => (cell === null || cell === undefined ? '' : typeof cell === 'number' ? formatNumber(cell) : cell);
  const widths = columns.map((column) => Math.max(column.length, ...rows.map((row) => text(row[column]).length)));
  const line = (cells: string[]): string => cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ');
  console.log(`\n${title}`);
  console.log(line(columns));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) console.log(line(columns.map((column) => text(row[column]))));
}

function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return String(n);
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2);
}

export interface BenchResult {
  benchmark: string;
  startedAt: string;
  finishedAt: string;
  machine: MachineFacts;
  settings: Record<string, unknown>;
  results: unknown;
}

/** Writes bench/results/<name>.json and returns its path relative to the repository. */
export async function writeResult(name: string, startedAt: Date, settings: Record<string, unknown>, results: unknown): Promise<string> {
  const record: BenchResult = {
    benchmark: name,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: await machineFacts(),
    settings,
    results,
  };
  await mkdir(resultsDir, { recursive: true });
  await writeFile(new URL(`${name}.json`, `file://${resultsDir}`), `${JSON.stringify(record, null, 2)}\n`);
  return `bench/results/${name}.json`;
}
