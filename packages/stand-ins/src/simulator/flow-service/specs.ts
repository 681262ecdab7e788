// The connection specs and flow specs GET /connectionSpecs and /flowSpecs return: the six
// dataset-export destinations and the data-lake source, with the real ids, shaped like the
// Flow Service spec's ConnectionSpecItemDTO / FlowSpecItemDTO.
import { COMMON_TARGET_FIELDS, DATASET_FILE_TYPE_FIELD, DESTINATIONS } from './destinations.js';
import { fieldsToJsonSchema, type JsonSchemaObject } from './param-fields.js';
import { DATA_LAKE_SOURCE_SPEC_ID, DATA_LAKE_SOURCE_SPEC_NAME, DESTINATION_KEYS, DESTINATION_PROVIDER_ID, DESTINATION_SPEC_IDS } from './spec-ids.js';

export interface ConnectionSpecDocument {
  id: string;
  name: string;
  providerId: string;
  version: string;
  type: string;
  authSpec: { name: string; type: string; spec: JsonSchemaObject }[];
  sourceSpec?: { name: string; type: string; spec: JsonSchemaObject; attributes: JsonSchemaObject };
  targetSpec?: { name: string; type: string; spec: JsonSchemaObject; attributes: JsonSchemaObject };
  attributes: JsonSchemaObject;
}

export interface FlowSpecDocument {
  id: string;
  name: string;
  providerId: string;
  version: string;
  sourceConnectionSpecIds: string[];
  targetConnectionSpecIds: string[];
  scheduleSpec: { name: string; type: string; spec: JsonSchemaObject };
  attributes: JsonSchemaObject;
}

/** JSON Schema of dataset-export `scheduleParams` (reference 2.5; validation in schedule.ts). */
export const DATASET_SCHEDULE_JSON_SCHEMA: JsonSchemaObject = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: {
    exportMode: { type: 'string', enum: ['DAILY_FULL_EXPORT', 'FIRST_FULL_THEN_INCREMENTAL'] },
    startTime: { type: 'integer', description: 'Epoch seconds.' },
    endTime: { type: 'integer', description: 'Epoch seconds; flows end 6 months after creation without it.' },
    interval: { type: 'integer', enum: [0, 1, 3, 6, 8, 9, 12], description: '1 with day (0 for a one-time full export), 3/6/8/9/12 with hour.' },
    timeUnit: { type: 'string', enum: ['hour', 'day'] },
    folderNameTemplate: { type: 'string' },
  },
  required: ['startTime', 'interval', 'timeUnit'],
};

const DATA_LAKE_SOURCE_SPEC: ConnectionSpecDocument = {
  id: DATA_LAKE_SOURCE_SPEC_ID,
  name: DATA_LAKE_SOURCE_SPEC_NAME,
  providerId: DESTINATION_PROVIDER_ID,
  version: '1.0',
  type: 'Activation',
  authSpec: [],
  sourceSpec: {
    name: 'Data Lake',
    type: 'Activation',
    spec: {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      description: 'Datasets of the data lake to export.',
      properties: {
        datasets: {
          type: 'array',
          minItems: 1,
          items: { type: 'object', properties: { dataSetId: { type: 'string' }, name: { type: 'string' } }, required: ['dataSetId'] },
        },
      },
      required: ['datasets'],
    },
    attributes: { uiAttributes: { isSource: true, category: 'datalake', label: 'Data Lake' } },
  },
  attributes: { category: 'datalake', isSource: true, isDestination: false },
};

function destinationConnectionSpec(key: (typeof DESTINATION_KEYS)[number]): ConnectionSpecDocument {
  const destination = DESTINATIONS[key];
  return {
    id: DESTINATION_SPEC_IDS[key].connectionSpecId,
    name: destination.name,
    providerId: DESTINATION_PROVIDER_ID,
    version: '1.0',
    type: 'Batch',
    authSpec: destination.authSpecs.map((auth) => ({
      name: auth.name,
      type: auth.type,
      spec: fieldsToJsonSchema(auth.fields, `Defines auth params required for connecting to ${destination.name}.`),
    })),
    targetSpec: {
      name: destination.name,
      type: 'CloudStorage',
      spec: fieldsToJsonSchema([...destination.locationFields, ...COMMON_TARGET_FIELDS, DATASET_FILE_TYPE_FIELD], `Target params of dataset exports to ${destination.name}.`),
      attributes: { uiAttributes: { isDestination: true, category: 'cloudStorage', documentationLink: destination.documentationLink, label: destination.name } },
    },
    attributes: { category: 'cloudStorage', isSource: false, isDestination: true, connectorName: destination.name },
  };
}

function destinationFlowSpec(key: (typeof DESTINATION_KEYS)[number]): FlowSpecDocument {
  const destination = DESTINATIONS[key];
  return {
    id: DESTINATION_SPEC_IDS[key].flowSpecId,
    name: `${destination.name} Dataset Export`,
    providerId: DESTINATION_PROVIDER_ID,
    version: '1.0',
    sourceConnectionSpecIds: [DATA_LAKE_SOURCE_SPEC_ID],
    targetConnectionSpecIds: [DESTINATION_SPEC_IDS[key].connectionSpecId],
    scheduleSpec: { name: 'PeriodicSchedule', type: 'Periodic', spec: DATASET_SCHEDULE_JSON_SCHEMA },
    attributes: { isDestinationFlow: true, frequency: 'batch', datasetExport: true },
  };
}

export const CONNECTION_SPECS: readonly ConnectionSpecDocument[] = [...DESTINATION_KEYS.map(destinationConnectionSpec), DATA_LAKE_SOURCE_SPEC];
export const FLOW_SPECS: readonly FlowSpecDocument[] = DESTINATION_KEYS.map(destinationFlowSpec);

export function findConnectionSpec(id: string): ConnectionSpecDocument | undefined {
  return CONNECTION_SPECS.find((spec) => spec.id === id);
}

export function findFlowSpec(id: string): FlowSpecDocument | undefined {
  return FLOW_SPECS.find((spec) => spec.id === id);
}
