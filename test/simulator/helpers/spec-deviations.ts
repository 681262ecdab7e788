// Where Adobe's OpenAPI files disagree with the Platform's documented behaviour (reference doc,
// the specs' own examples, aepp). Each entry names the validator errors it excuses; tests pass
// the ids they rely on, and docs/simulator.md lists the same table. Nothing is excused silently.

export interface SpecDeviation {
  id: string;
  file: 'destinations.yaml' | 'flow-service.yaml';
  side: 'request' | 'response';
  /** Operations the deviation applies to. */
  operationIds: string[];
  /** Validator messages it excuses. */
  errors: RegExp;
  why: string;
}

export const SPEC_DEVIATIONS = {
  datasetFlowsAreNotStreaming: {
    id: 'datasetFlowsAreNotStreaming',
    file: 'destinations.yaml',
    side: 'response',
    operationIds: ['getFlowById', 'getFlows'],
    errors: /^(\(root\) must match exactly one schema in oneOf|\/items\/\d+\/inheritedAttributes\/(sourceConnections|targetConnections) must be object)/,
    why: 'Batch_Flow and Streaming_Flow both match a batch flow (StreamingTransformations is an empty object schema), and inheritedAttributes.sourceConnections/targetConnections are typed object although the spec\'s own example (Batch_Flow_Dataset_Schedule_V2) and reference 2.9 show arrays.',
  },
  sourcesScheduleIntervalIsString: {
    id: 'sourcesScheduleIntervalIsString',
    file: 'flow-service.yaml',
    side: 'response',
    operationIds: ['retrieveFlow', 'listFlows'],
    errors: /^\/items\/\d+\/scheduleParams\/interval must be string/,
    why: 'flow-service.yaml models source flows (ScheduleSpecDTO.interval is a string); dataset export flows use DatasetScheduleParams_V2 where interval is an integer (destinations.yaml, reference 2.5).',
  },
  sourcesScheduleIntervalIsStringRequest: {
    id: 'sourcesScheduleIntervalIsStringRequest',
    file: 'flow-service.yaml',
    side: 'request',
    operationIds: ['createFlow'],
    errors: /^\/requestBody\/scheduleParams\/interval must be string/,
    why: 'Same as sourcesScheduleIntervalIsString, for the create request.',
  },
  targetConnectionDataNotSentForDatasets: {
    id: 'targetConnectionDataNotSentForDatasets',
    file: 'flow-service.yaml',
    side: 'request',
    operationIds: ['createTargetConnection'],
    errors: /^\/requestBody must have required property 'data'/,
    why: 'CreateTargetConnectionRequest (sources) requires `data`; dataset export target connections carry only params (destinations.yaml examples, reference 2.4). destinations.yaml only models S3 and SFTP here, so the other four destinations are checked against flow-service.yaml.',
  },
  dataLandingZoneAuthIsNull: {
    id: 'dataLandingZoneAuthIsNull',
    file: 'flow-service.yaml',
    side: 'request',
    operationIds: ['createConnection'],
    errors: /^\/requestBody\/auth must be object/,
    why: 'The Data Landing Zone connection spec has no auth spec (authSpec: []); aepp and Adobe\'s notebook send "auth": null (reference 2.2, section 3).',
  },
  dataLandingZoneAuthIsNullResponse: {
    id: 'dataLandingZoneAuthIsNullResponse',
    file: 'flow-service.yaml',
    side: 'response',
    operationIds: ['retrieveConnection', 'listConnections'],
    errors: /^\/items\/\d+\/auth must be object/,
    why: 'The simulator returns the Data Landing Zone base connection\'s auth as stored (null).',
  },
  patchValueOneOfAmbiguous: {
    id: 'patchValueOneOfAmbiguous',
    file: 'destinations.yaml',
    side: 'request',
    operationIds: ['patchFlowById'],
    errors: /^\/requestBody\/\d+\/value must match exactly one schema in oneOf/,
    why: 'PatchFlowItem.value is a oneOf whose loose members (BatchSegmentSelector, BatchProfileSelector) also match a scheduleParams object or an id array, so the spec\'s own Update_Dataset_Schedule example fails oneOf.',
  },
  patchOpCapitalised: {
    id: 'patchOpCapitalised',
    file: 'destinations.yaml',
    side: 'request',
    operationIds: ['patchFlowById'],
    errors: /^\/requestBody\/\d+\/op must be equal to one of the allowed values/,
    why: 'aepp sends `"op":"Replace"` (reference 2.8); the Platform accepts it, the enum lists lowercase only.',
  },
  patchConnectionBodyIsArray: {
    id: 'patchConnectionBodyIsArray',
    file: 'destinations.yaml',
    side: 'request',
    operationIds: ['patchConnectionById'],
    errors: /^\/requestBody must be object/,
    why: 'The PATCH body schema is a single PatchConnectionItem, but JSON Patch bodies are arrays, as the operation\'s own examples (Patch_Connection_Replace_Auth_Params) show.',
  },
  flowActionWithoutSubOp: {
    id: 'flowActionWithoutSubOp',
    file: 'flow-service.yaml',
    side: 'request',
    operationIds: ['postStateTransition'],
    errors: /^\/query(\/op must be equal to one of the allowed values| must have required property 'subOp')/,
    why: 'postStateTransition marks subOp required and op uppercase; aepp sends only op=enable|disable in lowercase (reference 2.8).',
  },
  validationErrorsUndocumented: {
    id: 'validationErrorsUndocumented',
    file: 'destinations.yaml',
    side: 'response',
    operationIds: ['postTargetConnection', 'postSourceConnection', 'postFlow', 'patchFlowById', 'patchConnectionById', 'getFlows', 'getConnections'],
    errors: /documents no 400 response/,
    why: 'Several operations list no 400 response although the Platform answers invalid bodies and filters with 400 (reference section 6).',
  },
} satisfies Record<string, SpecDeviation>;

export type DeviationId = keyof typeof SPEC_DEVIATIONS;
