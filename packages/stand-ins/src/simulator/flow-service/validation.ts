// Validation of Flow Service create bodies (base, source and target connections, flows) as the
// real specs require. Existence checks that need the store live in the route modules.
import type { SpecRef, SourceDataset, TargetParams } from './entities.js';
import type { AuthBody } from './entities.js';
import { COMMON_TARGET_FIELDS, DATASET_FILE_TYPE_FIELD, DESTINATIONS, SEGMENT_FILE_TYPE_FIELD } from './destinations.js';
import { checkParams } from './param-fields.js';
import { accept, badRequest, INVALID_SPEC_ID, missingSpecVersion, refuse, type Checked } from './rejection.js';
import { checkSchedule, type DatasetSchedule } from './schedule.js';
import { DATA_LAKE_SOURCE_SPEC_ID, destinationByConnectionSpec, destinationByFlowSpec, PROFILE_STORE_SOURCE_SPEC_ID, type DestinationKey } from './spec-ids.js';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(body: Json, key: string): string | undefined {
  return typeof body[key] === 'string' ? body[key] : undefined;
}

/** Reads `connectionSpec`/`flowSpec`: 422 without version, 400 for an unknown id. */
export function checkSpecRef(body: Json, field: 'connectionSpec' | 'flowSpec', isKnown: (id: string) => boolean): Checked<SpecRef> {
  const ref = body[field];
  if (!isObject(ref) || typeof ref.id !== 'string' || ref.id === '') return refuse(INVALID_SPEC_ID);
  if (typeof ref.version !== 'string' || ref.version === '') return refuse(missingSpecVersion(field));
  if (!isKnown(ref.id)) return refuse(INVALID_SPEC_ID);
  return accept({ id: ref.id, version: ref.version });
}

function checkName(body: Json): Checked<{ name: string; description?: string }> {
  const name = optionalString(body, 'name');
  if (name === undefined || name.trim() === '') return refuse(badRequest('1001', 'name is required'));
  const description = optionalString(body, 'description');
  return accept(description === undefined ? { name } : { name, description });
}

function requireObject(body: unknown): Checked<Json> {
  return isObject(body) ? accept(body) : refuse(badRequest('1000', 'Request body must be a JSON object'));
}

/** Validates a base connection's auth against the destination's auth specs. */
export function checkAuth(destination: DestinationKey, auth: unknown): Checked<AuthBody | null> {
  const definition = DESTINATIONS[destination];
  if (definition.authSpecs.length === 0) {
    if (auth === null || auth === undefined) return accept(null);
    return refuse(badRequest('1010', `${definition.name} connections take no auth; send "auth": null`));
  }
  if (!isObject(auth) || typeof auth.specName !== 'string') {
    return refuse(badRequest('1010', `auth.specName is required; one of: ${definition.authSpecs.map((a) => a.name).join(', ')}`));
  }
  const specName = auth.specName;
  const authSpec = definition.authSpecs.find((a) => a.name.toLowerCase() === specName.toLowerCase());
  if (authSpec === undefined) {
    return refuse(badRequest('1010', `Invalid auth.specName "${specName}" for ${definition.name}; one of: ${definition.authSpecs.map((a) => a.name).join(', ')}`));
  }
  const { params, errors } = checkParams(authSpec.fields, auth.params, 'auth.params');
  if (errors.length > 0) return refuse(badRequest('1011', 'Connection auth params are invalid', errors));
  return accept({ specName: authSpec.name, params });
}

export interface ConnectionInput {
  name: string;
  description?: string;
  connectionSpec: SpecRef;
  destination: DestinationKey;
  auth: AuthBody | null;
}

export function checkConnectionCreate(raw: unknown): Checked<ConnectionInput> {
  const body = requireObject(raw);
  if (!body.ok) return body;
  const spec = checkSpecRef(body.value, 'connectionSpec', (id) => destinationByConnectionSpec(id) !== undefined || id === DATA_LAKE_SOURCE_SPEC_ID);
  if (!spec.ok) return spec;
  const destination = destinationByConnectionSpec(spec.value.id);
  if (destination === undefined) return refuse(badRequest('1012', 'The data lake source needs no base connection; create a source connection instead'));
  const named = checkName(body.value);
  if (!named.ok) return named;
  const auth = checkAuth(destination, body.value.auth);
  if (!auth.ok) return auth;
  return accept({ ...named.value, connectionSpec: spec.value, destination, auth: auth.value });
}

export interface SourceConnectionInput {
  name: string;
  description?: string;
  connectionSpec: SpecRef;
  datasets: SourceDataset[];
  params: Json;
  data?: Json;
}

export function checkDatasets(value: unknown): Checked<SourceDataset[]> {
  if (!Array.isArray(value) || value.length === 0) return refuse(badRequest('1020', 'params.datasets must be a non-empty array of {dataSetId}'));
  const datasets: SourceDataset[] = [];
  for (const [index, entry] of value.entries()) {
    if (!isObject(entry) || typeof entry.dataSetId !== 'string' || entry.dataSetId === '') {
      return refuse(badRequest('1020', `params.datasets[${index}].dataSetId is required`));
    }
    datasets.push(typeof entry.name === 'string' ? { dataSetId: entry.dataSetId, name: entry.name } : { dataSetId: entry.dataSetId });
  }
  return accept(datasets);
}

export function checkSourceConnectionCreate(raw: unknown): Checked<SourceConnectionInput> {
  const body = requireObject(raw);
  if (!body.ok) return body;
  const spec = checkSpecRef(body.value, 'connectionSpec', (id) => id === DATA_LAKE_SOURCE_SPEC_ID || id === PROFILE_STORE_SOURCE_SPEC_ID || destinationByConnectionSpec(id) !== undefined);
  if (!spec.ok) return spec;
  if (spec.value.id === PROFILE_STORE_SOURCE_SPEC_ID) {
    // Audience activation reads the Profile Store: no datasets (segments are mapped on the flow).
    const named = checkName(body.value);
    if (!named.ok) return named;
    const params = isObject(body.value.params) ? body.value.params : {};
    return accept({ ...named.value, connectionSpec: spec.value, datasets: [], params });
  }
  if (spec.value.id !== DATA_LAKE_SOURCE_SPEC_ID) {
    return refuse(badRequest('1021', `Source connections of dataset exports use the data lake spec ${DATA_LAKE_SOURCE_SPEC_ID}`));
  }
  const named = checkName(body.value);
  if (!named.ok) return named;
  const params = isObject(body.value.params) ? body.value.params : {};
  const datasets = checkDatasets(params.datasets);
  if (!datasets.ok) return datasets;
  const data = isObject(body.value.data) ? body.value.data : undefined;
  return accept({ ...named.value, connectionSpec: spec.value, datasets: datasets.value, params, ...(data === undefined ? {} : { data }) });
}

/**
 * Validates target params for a destination: location fields, compression and exactly one file
 * type, as destinations.yaml's V2 params (`oneOf` dataset / segment parameters) say:
 * `datasetFileType` (JSON|PARQUET, DatasetTargetConnectionParams_V2) for dataset exports,
 * `fileType` (CSV|JSON|PARQUET, SegmentTargetConnectionParams_V2) for audience exports.
 */
export function checkTargetParams(destination: DestinationKey, value: unknown): Checked<TargetParams> {
  const definition = DESTINATIONS[destination];
  if (isObject(value) && typeof value.datasetFileType === 'string' && value.datasetFileType.toUpperCase() === 'CSV') {
    return refuse(badRequest('1031', 'datasetFileType CSV is not supported for dataset exports; use JSON or PARQUET'));
  }
  const hasDatasetType = isObject(value) && value.datasetFileType !== undefined;
  const hasSegmentType = isObject(value) && value.fileType !== undefined;
  if (hasDatasetType && hasSegmentType) {
    return refuse(badRequest('1030', `Target connection params are invalid for ${definition.name}`, ['params must carry either datasetFileType (dataset exports) or fileType (audience exports), not both']));
  }
  const fileTypeField = hasSegmentType ? SEGMENT_FILE_TYPE_FIELD : DATASET_FILE_TYPE_FIELD;
  const { params, errors } = checkParams([...definition.locationFields, ...COMMON_TARGET_FIELDS, fileTypeField], value, 'params');
  if (errors.length > 0) return refuse(badRequest('1030', `Target connection params are invalid for ${definition.name}`, errors));
  return accept(params as TargetParams);
}

/** Whether target params describe an audience (segment) export: `fileType` instead of `datasetFileType`. */
export function isSegmentTarget(params: { fileType?: unknown }): boolean {
  return params.fileType !== undefined;
}

export interface TargetConnectionInput {
  name: string;
  description?: string;
  connectionSpec: SpecRef;
  destination: DestinationKey;
  baseConnectionId: string;
  params: TargetParams;
}

export function checkTargetConnectionCreate(raw: unknown): Checked<TargetConnectionInput> {
  const body = requireObject(raw);
  if (!body.ok) return body;
  const spec = checkSpecRef(body.value, 'connectionSpec', (id) => destinationByConnectionSpec(id) !== undefined || id === DATA_LAKE_SOURCE_SPEC_ID);
  if (!spec.ok) return spec;
  const destination = destinationByConnectionSpec(spec.value.id);
  if (destination === undefined) return refuse(badRequest('1033', 'Target connections need a destination connection spec'));
  const named = checkName(body.value);
  if (!named.ok) return named;
  const baseConnectionId = optionalString(body.value, 'baseConnectionId');
  if (baseConnectionId === undefined || baseConnectionId === '') return refuse(badRequest('1034', 'baseConnectionId is required'));
  const params = checkTargetParams(destination, body.value.params);
  if (!params.ok) return params;
  return accept({ ...named.value, connectionSpec: spec.value, destination, baseConnectionId, params: params.value });
}

export interface FlowInput {
  name: string;
  description?: string;
  flowSpec: SpecRef;
  destination: DestinationKey;
  sourceConnectionIds: string[];
  targetConnectionIds: string[];
  transformations: unknown[];
  scheduleParams: DatasetSchedule;
}

export function checkIdList(value: unknown, field: string): Checked<string[]> {
  if (!Array.isArray(value) || value.length === 0 || !value.every((v): v is string => typeof v === 'string' && v !== '')) {
    return refuse(badRequest('1040', `${field} must be a non-empty array of ids`));
  }
  return accept([...new Set(value)]);
}

export function checkFlowCreate(raw: unknown): Checked<FlowInput> {
  const body = requireObject(raw);
  if (!body.ok) return body;
  const spec = checkSpecRef(body.value, 'flowSpec', (id) => destinationByFlowSpec(id) !== undefined);
  if (!spec.ok) return spec;
  const destination = destinationByFlowSpec(spec.value.id) as DestinationKey;
  const named = checkName(body.value);
  if (!named.ok) return named;
  const sources = checkIdList(body.value.sourceConnectionIds, 'sourceConnectionIds');
  if (!sources.ok) return sources;
  const targets = checkIdList(body.value.targetConnectionIds, 'targetConnectionIds');
  if (!targets.ok) return targets;
  const transformations = body.value.transformations ?? [];
  if (!Array.isArray(transformations)) return refuse(badRequest('1041', 'transformations must be an array'));
  if (body.value.scheduleParams === undefined) return refuse(badRequest('1042', 'scheduleParams is required for dataset export flows'));
  const schedule = checkSchedule(body.value.scheduleParams);
  if (schedule.schedule === undefined) return refuse(badRequest('1042', 'scheduleParams are invalid', schedule.errors));
  return accept({
    ...named.value,
    flowSpec: spec.value,
    destination,
    sourceConnectionIds: sources.value,
    targetConnectionIds: targets.value,
    transformations,
    scheduleParams: schedule.schedule,
  });
}
