// Contradictions inside Adobe's own OpenAPI files that the Platform client's requests run into,
// each with the reading chosen. The contract check (platform-contract.ts) excuses exactly these
// validator errors and nothing else; docs/simulator.md ("Contract check") lists the same entries.
import type { InspectedRequest } from '../../packages/stand-ins/src/simulator/app.js';
import type { PipelineSpec } from './spec-validators.js';

export interface ContractContradiction {
  id: string;
  file: PipelineSpec | 'none';
  /** Operations it applies to; empty: any operation of the file. */
  operationIds: string[];
  /** The validator messages it excuses. */
  errors: RegExp;
  /** Only for requests like this (e.g. a given Accept header). */
  when?: (request: InspectedRequest) => boolean;
  /** What the files say against each other, and the reading the client and simulator follow. */
  reading: string;
}

function accept(request: InspectedRequest): string {
  const value = request.headers.accept;
  return (Array.isArray(value) ? value.join(',') : value) ?? '';
}

export const CONTRACT_CONTRADICTIONS: readonly ContractContradiction[] = [
  {
    id: 'datasetAdhocRunNotInSpec',
    file: 'ad-hoc-activation.yaml',
    operationIds: [],
    errors: /./,
    when: (request) => /adhoc\.dataset\.activation/i.test(accept(request)),
    reading:
      'ad-hoc-activation.yaml documents only the audience variant (Accept version=2, activationInfo map of segment ids); the dataset variant (Accept application/vnd.adobe.adhoc.dataset.activation+json; version=1, activationInfo.destinations[{flowId, datasets[{id}]}]) is what Adobe\'s export-datasets tutorial, notebooks and aepp send. Followed as aepp sends it.',
  },
  {
    id: 'targetConnectionDataOnlyForSources',
    file: 'flow-service.yaml',
    operationIds: ['createTargetConnection'],
    errors: /^\/requestBody must have required property 'data'/,
    reading:
      "flow-service.yaml's CreateTargetConnectionRequest (written for sources) requires `data`; destinations.yaml's export target examples (Amazon_S3_Target_Connection_Dataset_V2, Create_S3_Target_Connection_Segment) carry only `params`, which are checked against the V2 params schemas instead. Followed: no `data`.",
  },
  {
    id: 'dataLandingZoneAuthIsNull',
    file: 'flow-service.yaml',
    operationIds: ['createConnection'],
    errors: /^\/requestBody\/auth must be object/,
    reading:
      'flow-service.yaml types `auth` as an object, but the Data Landing Zone connection spec has no auth spec (authSpec: []); aepp and Adobe\'s notebook send "auth": null. Followed: null for the DLZ.',
  },
  {
    id: 'dataLandingZoneCredentialsNotInFiles',
    file: 'none',
    operationIds: [],
    errors: /./,
    when: (request) => request.method === 'GET' && request.url.startsWith('/data/foundation/connectors/landingzone/credentials'),
    reading:
      "None of Adobe's published OpenAPI files defines the Data Landing Zone credentials call; Adobe's Data Landing Zone source and destination docs and aepp (flowservice.getLandingZoneCredential) call GET /data/foundation/connectors/landingzone/credentials?type=user_drop_zone|dlz_destination. Followed as documented there.",
  },
  {
    id: 'largeFilePartBodyIsOctetStream',
    file: 'batch-ingestion.yaml',
    operationIds: ['uploadLargeFilePart'],
    errors: /requestBody/,
    reading:
      "uploadLargeFilePart's Content-Type header is an enum of application/octet-stream alone, while its requestBody lists only multipart/form-data with a `file` field (whose own description says the body is binary bytes); the batch ingestion guide sends each part's bytes with Content-Type application/octet-stream. Followed: the part's raw bytes as application/octet-stream.",
  },
  {
    id: 'flowActionWithoutSubOp',
    file: 'flow-service.yaml',
    operationIds: ['postStateTransition'],
    errors: /^\/query(\/op must be equal to one of the allowed values| must have required property 'subOp')/,
    reading:
      'postStateTransition marks `subOp` required and lists `op` in upper case; the destinations docs and aepp enable/disable a dataflow with only op=enable|disable. Followed: op alone, lower case.',
  },
  {
    id: 'patchFlowValueOneOfAmbiguous',
    file: 'destinations.yaml',
    operationIds: ['patchFlowById'],
    errors: /^\/requestBody\/\d+\/value( must match exactly one schema in oneOf|\/type must be equal to one of the allowed values)/,
    reading:
      "PatchFlowItem.value is a oneOf whose loose members (BatchSegmentSelector, BatchProfileSelector) also match a schedule object or a segment selector, so even the file's own Update_Dataset_Schedule example fails it. Read instead: the value is checked against the specific V2 schema of what the path changes (BatchSegmentSelector_V2 for a segment selector, DatasetScheduleParams_V2 for /scheduleParams).",
  },
  {
    id: 'patchConnectionBodyIsOneItem',
    file: 'destinations.yaml',
    operationIds: ['patchConnectionById'],
    errors: /^\/requestBody must be object/,
    reading:
      "patchConnectionById types the body as one PatchConnectionItem, while the schema's own description cites RFC 6902 and all three of its examples (Patch_Connection_Replace_Auth_Params, ...) are JSON Patch arrays, as flow-service.yaml's patchConnection and its PatchInstruction describe. Followed: an array of operations, `replace /auth/params` as the example.",
  },
  {
    id: 'descriptorSourceVersionInteger',
    file: 'schema-registry.yaml',
    operationIds: ['createDescriptor'],
    errors: /^\/requestBody\/xdm:sourceVersion must be string/,
    reading:
      'The descriptor schema types xdm:sourceVersion as a string; the same file\'s examples, the XDM descriptor guide, Adobe\'s CMLE notebooks and aepp send the integer 1. Followed: 1.',
  },
  {
    id: 'schemaPatchValueArray',
    file: 'schema-registry.yaml',
    operationIds: ['patchSchema'],
    errors: /^\/requestBody\/\d+\/value must be string/,
    reading:
      'patchSchema types a JSON Patch `value` as a string; enabling a schema for Profile adds `meta:immutableTags: ["union"]` (an array), as the schemas guide and aepp\'s enableSchemaForRealTime do. Followed: the array.',
  },
];
