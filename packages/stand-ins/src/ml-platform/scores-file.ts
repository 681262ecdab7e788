// Writes a run's scores file where the job was told to (docs/ml-platform.md): the contract's NDJSON
// lines, PUT once to the signed upload URL, so a reader never sees half a file (object stores
// replace an object whole).
import { encodeScoreLine, type ScoreLine } from './job-contract.js';
import { uploadSigned } from './storage-http.js';

export function encodeScores(lines: readonly ScoreLine[]): Buffer {
  return Buffer.from(lines.map(encodeScoreLine).join(''), 'utf8');
}

export async function uploadScoresFile(upload: { url: string; headers: Record<string, string> }, lines: readonly ScoreLine[]): Promise<void> {
  await uploadSigned(upload.url, upload.headers, encodeScores(lines));
}
