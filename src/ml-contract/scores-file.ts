// The scores file of the ML job contract (docs/ml-platform.md): NDJSON, UTF-8, one JSON object per
// line, newline-terminated, no header:
//   {"userId":"<id column value as a string>","propensity":<probability in [0,1]>}
// `userId` is the training set's id column (the ECID of `_{TENANT}.userid` in the CMLE flow) and
// `propensity` the model's probability of the label: the two fields the CMLE notebooks map to
// `_{TENANT}.userid` / `_{TENANT}.propensity`. Blank lines are ignored.
import { z } from 'zod';

export const ScoreLineSchema = z.object({ userId: z.string().min(1), propensity: z.number().min(0).max(1) });
export type ScoreLine = z.infer<typeof ScoreLineSchema>;

/** The scores file's name at its folder (`.json` with NDJSON content, as the Platform's JSON exports). */
export const SCORES_FILE_NAME = 'scores.json';

export function encodeScoreLine(line: ScoreLine): string {
  return `${JSON.stringify({ userId: line.userId, propensity: line.propensity })}\n`;
}

export class ScoresFormatError extends Error {
  override name = 'ScoresFormatError';
}

/** One line of a scores file (1-based `lineNumber` for messages); null for a blank line. */
export function parseScoreLine(text: string, lineNumber: number): ScoreLine | null {
  if (text.trim() === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ScoresFormatError(`line ${lineNumber} is not JSON`);
  }
  const parsed = ScoreLineSchema.safeParse(value);
  if (!parsed.success) throw new ScoresFormatError(`line ${lineNumber}: ${z.prettifyError(parsed.error).replaceAll('\n', ' ')}`);
  return parsed.data;
}
