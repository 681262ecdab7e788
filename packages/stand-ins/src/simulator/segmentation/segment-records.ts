// Segment definitions and segment jobs as the simulator keeps them (segmentation.yaml shapes).
import { createHash } from 'node:crypto';
import type { Tenancy } from '../context.js';

export const PROFILE_SCHEMA_NAME = '_xdm.context.profile';
export const PROFILE_INSTANCE_ID = 'ups';

export type SegmentJobStatus = 'NEW' | 'PROCESSING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

export interface SegmentExpression {
  type: 'PQL';
  format: 'pql/text';
  value: string;
}

export interface SegmentDefinition {
  id: string;
  imsOrgId: string;
  sandbox: SandboxInfo;
  name: string;
  description?: string;
  profileInstanceId: string;
  expression: SegmentExpression;
  mergePolicyId: string;
  evaluationInfo: { batch: { enabled: boolean }; continuous: { enabled: boolean }; synchronous: { enabled: boolean } };
  schema: { name: string };
  payloadSchema: string;
  ttlInDays?: number;
  dataGovernancePolicy: { excludeOptOut: boolean };
  creationTime: number;
  updateTime: number;
  updateEpoch: number;
}

export interface SandboxInfo {
  sandboxId: string;
  sandboxName: string;
  type: 'production' | 'development';
  default: boolean;
}

export interface SegmentJobSegment {
  segmentId: string;
  segment: { id: string; expression: SegmentExpression; mergePolicyId: string; mergePolicy: { id: string; version: number } };
}

export interface SegmentJobMetrics {
  totalTime: { startTimeInMs: number; endTimeInMs?: number; totalTimeInMs: number };
  profileSegmentationTime: { startTimeInMs: number; endTimeInMs?: number; totalTimeInMs: number };
  totalProfiles?: number;
  totalProfilesByMergePolicy?: Record<string, number>;
  segmentedProfileCounter?: Record<string, number>;
  segmentedProfileByNamespaceCounter?: Record<string, Record<string, number>>;
  segmentedProfileByStatusCounter?: Record<string, Record<string, number>>;
}

export interface SegmentJob {
  id: string;
  imsOrgId: string;
  sandbox: SandboxInfo;
  profileInstanceId: string;
  source: string;
  status: SegmentJobStatus;
  segments: SegmentJobSegment[];
  metrics: SegmentJobMetrics;
  errors?: { code: string; msg: string }[];
  requestId: string;
  schema: { name: string };
  properties: Record<string, string>;
  creationTime: number;
  updateTime: number;
  updateEpoch: number;
}

/** A stable UUID-shaped id derived from text (sandbox ids, the default merge policy). */
export function derivedUuid(text: string): string {
  const hex = createHash('sha256').update(text).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function sandboxInfo(t: Tenancy): SandboxInfo {
  const production = t.sandbox === 'prod';
  return { sandboxId: derivedUuid(`sandbox|${t.orgId}|${t.sandbox}`), sandboxName: t.sandbox, type: production ? 'production' : 'development', default: production };
}

/** The sandbox's default (timestamp-ordered) merge policy. */
export function defaultMergePolicyId(t: Tenancy): string {
  return derivedUuid(`merge-policy|${t.orgId}|${t.sandbox}`);
}
