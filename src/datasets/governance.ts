// The data-governance rule for exporting a dataset to train models: refuse what its usage labels
// forbid. Dataset-wide and field labels both count, because the whole dataset leaves the Platform.
// The API checks at accept time; the worker checks again before creating Platform objects.
import type { DatasetLabels } from '../platform/types.js';

/** C9: no data science use; C12: no export of any kind. Never exportable here. */
export const forbiddenLabels = ['C9', 'C12'] as const;
/** PSPD: permitted sensitive personal data; RHD: regulated health data. Only when the tenant allows. */
export const sensitiveLabels = ['PSPD', 'RHD'] as const;

export type GovernanceVerdict =
  | { allowed: true; labels: string[] }
  | { allowed: false; labels: string[]; refusedLabels: string[]; reason: string };

/** Every label on the dataset or on one of its fields, deduplicated and sorted. */
export function allLabelsOf(labels: DatasetLabels | null): string[] {
  if (!labels) return [];
  const found = new Set([...labels.labels, ...labels.fieldLabels.flatMap((f) => f.labels)]);
  return [...found].sort();
}

export function judgeDatasetLabels(labels: DatasetLabels | null, opts: { allowSensitiveLabels: boolean }): GovernanceVerdict {
  const all = allLabelsOf(labels);
  const refused = all.filter(
    (label) =>
      (forbiddenLabels as readonly string[]).includes(label) ||
      (!opts.allowSensitiveLabels && (sensitiveLabels as readonly string[]).includes(label)),
  );
  if (refused.length === 0) return { allowed: true, labels: all };
  const reasons = refused.map((label) => `${label} (${labelMeaning(label)})`);
  return {
    allowed: false,
    labels: all,
    refusedLabels: refused,
    reason: `The dataset carries usage labels that forbid this export: ${reasons.join(', ')}.`,
  };
}

function labelMeaning(label: string): string {
  switch (label) {
    case 'C9':
      return 'no data science use';
    case 'C12':
      return 'no export of any kind';
    case 'PSPD':
      return 'sensitive personal data; this tenant does not allow it';
    case 'RHD':
      return 'regulated health data; this tenant does not allow it';
    default:
      return 'restricted';
  }
}
