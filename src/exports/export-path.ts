// The folder an export writes into, relative to the destination's root. Refused: absolute paths,
// `.`/`..` segments, backslashes and control characters, so no path can climb out of the
// destination's root or mean different folders on different systems, and folder names longer
// than storage systems take (255, the common file-name limit). A trailing slash is dropped so
// "a/b/" and "a/b" are the same folder (and share a Platform flow). Where Adobe publishes a path
// pattern for the destination, the path must match it too (destinationPathProblem).
import { z } from 'zod';
import type { DestinationType } from '../destinations/destination-types.js';

/** Longest folder name (one path segment): ext4, NTFS, APFS and SFTP servers' common limit. */
export const MAX_FOLDER_NAME_LENGTH = 255;

/**
 * The target `path` patterns of Adobe's connection specs (targetSpec): Amazon S3 and Google Cloud
 * Storage `^[0-9a-zA-Z/!\-_.*'()]*`, Azure Blob `^[0-9a-zA-Z/!\-_.*'()]+$`. The others (Data
 * Landing Zone, ADLS Gen2, SFTP) publish none.
 */
const ADOBE_PATH_PATTERNS: Partial<Record<DestinationType, RegExp>> = {
  s3: /^[0-9a-zA-Z/!\-_.*'()]*$/,
  gcs: /^[0-9a-zA-Z/!\-_.*'()]*$/,
  'azure-blob': /^[0-9a-zA-Z/!\-_.*'()]+$/,
};

/** Why the Platform would refuse this path for this destination type, or null. */
export function destinationPathProblem(type: string, path: string): string | null {
  const pattern = ADOBE_PATH_PATTERNS[type as DestinationType];
  if (pattern === undefined || pattern.test(path)) return null;
  return "may use only letters, digits and / ! - _ . * ' ( ) for this destination (the Platform's path pattern)";
}

export function exportPathProblem(path: string): string | null {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(path)) return 'must not contain control characters';
  if (path.includes('\\')) return 'must use / between folders, not \\';
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return 'must be relative (no leading / or drive letter)';
  const segments = path.replace(/\/+$/, '').split('/');
  if (segments.some((s) => s === '')) return 'must not contain empty folder names (//)';
  if (segments.some((s) => s === '.' || s === '..')) return 'must not contain . or .. folders';
  if (segments.some((s) => s.length > MAX_FOLDER_NAME_LENGTH)) return `must not contain a folder name longer than ${MAX_FOLDER_NAME_LENGTH} characters`;
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
