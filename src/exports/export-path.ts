// The folder an export writes into, relative to the destination's root. Refused: absolute paths,
// `.`/`..` segments, backslashes and control characters, so no path can climb out of the
// destination's root or mean different folders on different systems. A trailing slash is dropped
// so "a/b/" and "a/b" are the same folder (and share a Platform flow).
import { z } from 'zod';

export function exportPathProblem(path: string): string | null {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(path)) return 'must not contain control characters';
  if (path.includes('\\')) return 'must use / between folders, not \\';
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return 'must be relative (no leading / or drive letter)';
  const segments = path.replace(/\/+$/, '').split('/');
  if (segments.some((s) => s === '')) return 'must not contain empty folder names (//)';
  if (segments.some((s) => s === '.' || s === '..')) return 'must not contain . or .. folders';
  return null;
}

export const ExportPathSchema = z
  .string()
  .min(1)
  .max(1024)
  .superRefine((path, ctx) => {
    const problem = exportPathProblem(path);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .transform((path) => path.replace(/\/+$/, ''))
  .describe('Folder relative to the destination root, e.g. ml/exports');
