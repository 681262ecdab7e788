// Validation of an audience flow's segment selectors (the PATCH that maps an audience into the
// flow), per destinations.yaml BatchSegmentSelector_V2 / BaseSegmentSelectorValue: type
// PLATFORM_SEGMENT, a segment id, the export mode, and a schedule whose fields follow the enums
// and formats the spec documents; `triggerType` is required with DAILY_FULL_EXPORT and a
// SCHEDULED trigger needs `startTime` (the spec's descriptions and its activation examples).

type Json = Record<string, unknown>;

const FREQUENCIES = ['ONCE', 'DAILY', 'EVERY_3_HOURS', 'EVERY_6_HOURS', 'EVERY_8_HOURS', 'EVERY_12_HOURS'];
const EXPORT_MODES = ['DAILY_FULL_EXPORT', 'FIRST_FULL_THEN_INCREMENTAL'];
const TRIGGER_TYPES = ['SCHEDULED', 'AFTER_SEGMENT_EVAL'];
const DATE = /^\d{4}-\d{2}-\d{2}$/;
// "The correct format is HH:MM. Minutes must be 00."
const HOUR = /^([01]\d|2[0-3]):00$/;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function scheduleErrors(schedule: unknown, exportMode: unknown, where: string): string[] {
  if (!isObject(schedule)) return [`${where}.schedule is required`];
  const errors: string[] = [];
  const { frequency, triggerType, startDate, endDate, startTime } = schedule;
  if (typeof frequency !== 'string' || !FREQUENCIES.includes(frequency)) errors.push(`${where}.schedule.frequency must be one of ${FREQUENCIES.join(', ')}`);
  if (triggerType !== undefined && (typeof triggerType !== 'string' || !TRIGGER_TYPES.includes(triggerType))) errors.push(`${where}.schedule.triggerType must be one of ${TRIGGER_TYPES.join(', ')}`);
  if (exportMode === 'DAILY_FULL_EXPORT' && triggerType === undefined) errors.push(`${where}.schedule.triggerType is required with exportMode DAILY_FULL_EXPORT`);
  if (typeof startDate !== 'string' || !DATE.test(startDate)) errors.push(`${where}.schedule.startDate must be a date YYYY-MM-DD`);
  if (endDate !== undefined && (typeof endDate !== 'string' || !DATE.test(endDate))) errors.push(`${where}.schedule.endDate must be a date YYYY-MM-DD`);
  if (startTime !== undefined && (typeof startTime !== 'string' || !HOUR.test(startTime))) errors.push(`${where}.schedule.startTime must be HH:00 (24-hour, minutes 00)`);
  if (triggerType === 'SCHEDULED' && startTime === undefined) errors.push(`${where}.schedule.startTime is required with triggerType SCHEDULED`);
  return errors;
}

/** Problems with the segment selectors of a flow's transformations (empty when valid). */
export function segmentSelectorErrors(transformations: unknown): string[] {
  if (!Array.isArray(transformations)) return ['transformations must be an array'];
  const errors: string[] = [];
  for (const [t, transformation] of transformations.entries()) {
    const params = isObject(transformation) && isObject(transformation.params) ? transformation.params : undefined;
    const selectors = params !== undefined && isObject(params.segmentSelectors) ? params.segmentSelectors.selectors : undefined;
    if (selectors === undefined) continue;
    if (!Array.isArray(selectors)) {
      errors.push(`transformations[${t}].params.segmentSelectors.selectors must be an array`);
      continue;
    }
    for (const [i, selector] of selectors.entries()) {
      const where = `transformations[${t}].params.segmentSelectors.selectors[${i}]`;
      if (!isObject(selector) || selector.type !== 'PLATFORM_SEGMENT') {
        errors.push(`${where}.type must be PLATFORM_SEGMENT`);
        continue;
      }
      const value = selector.value;
      if (!isObject(value) || typeof value.id !== 'string' || value.id === '') {
        errors.push(`${where}.value.id is required`);
        continue;
      }
      if (value.exportMode !== undefined && (typeof value.exportMode !== 'string' || !EXPORT_MODES.includes(value.exportMode))) {
        errors.push(`${where}.value.exportMode must be one of ${EXPORT_MODES.join(', ')}`);
      }
      errors.push(...scheduleErrors(value.schedule, value.exportMode, `${where}.value`));
    }
  }
  return errors;
}
