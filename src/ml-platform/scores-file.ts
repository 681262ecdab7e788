// The scores file a run leaves for the ingest step:
//   <landingZoneDir>/<scores_path>/scores-<run_id>.json
// NDJSON (one JSON object per line, newline-terminated, UTF-8, no header), one line per scored
// training-set row, in the order the rows were read:
//   {"userId":"<id column value as a string>","propensity":<probability in [0,1]>}
// `userId` is the training set's id column (the ECID of `_{TENANT}.userid` in the CMLE flow) and
// `propensity` the model's probability of `subscriptionOccurred`: the two fields the notebooks map to
// `_{TENANT}.userid` / `_{TENANT}.propensity`. The `.json` name with NDJSON content is the same
// convention as the Platform's JSON exports. Written to a temporary name and renamed, so a reader
// never sees half a file.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { resolveUnderRoot } from '../simulator/landing/landing-path.js';

export const ScoreLineSchema = z.object({ userId: z.string().min(1), propensity: z.number().min(0).max(1) });
export type ScoreLine = z.infer<typeof ScoreLineSchema>;

export function scoresFileName(runId: number): string {
  return `scores-${runId}.json`;
}

/** The scores file of a run, relative to the landing root with `/` separators. */
export function scoresFileRelative(scoresPath: string, runId: number): string {
  return [...scoresPath.split(/[/\\]+/).filter((s) => s !== '' && s !== '.'), scoresFileName(runId)].join('/');
}

export function encodeScores(lines: readonly ScoreLine[]): string {
  return lines.map((line) => JSON.stringify({ userId: line.userId, propensity: line.propensity })).join('\n') + (lines.length > 0 ? '\n' : '');
}

/** Writes the run's scores file atomically; returns its path relative to the landing root. */
export async function writeScoresFile(landingRoot: string, scoresPath: string, runId: number, lines: readonly ScoreLine[]): Promise<string> {
  const folder = resolveUnderRoot(landingRoot, scoresPath);
  await mkdir(folder, { recursive: true });
  const target = join(folder, scoresFileName(runId));
  const temporary = `${target}.${randomBytes(4).toString('hex')}.inprogress`;
  await writeFile(temporary, encodeScores(lines), { flag: 'wx' });
  await rename(temporary, target);
  return scoresFileRelative(scoresPath, runId);
}

/** Parses scores NDJSON (blank lines ignored); throws an Error naming the first bad line. */
export function parseScores(text: string): ScoreLine[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, index) => {
      const parsed = ScoreLineSchema.safeParse(JSON.parse(line));
      if (!parsed.success) throw new Error(`scores line ${index + 1}: ${z.prettifyError(parsed.error)}`);
      return parsed.data;
    });
}

/** Reads a scores file given its path relative to the landing root (e.g. a run's `output.scores_file`). */
export async function readScoresFile(landingRoot: string, relativeFile: string): Promise<ScoreLine[]> {
  return parseScores(await readFile(resolveUnderRoot(landingRoot, relativeFile), 'utf8'));
}
