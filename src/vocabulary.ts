// Reading a stored value of a closed vocabulary (status, step, state, ...). The columns carry CHECK
// constraints, so a value outside the list means the code and the database disagree (a newer
// writer, a hand edit): that is an error to surface, never something to default away.

/** Whether `value` is one of `values` (narrows it). */
export function isOneOf<T extends string>(values: readonly T[], value: string): value is T {
  return (values as readonly string[]).includes(value);
}

export class UnknownValueError extends Error {
  override readonly name = 'UnknownValueError';
  constructor(
    readonly what: string,
    readonly value: string,
  ) {
    super(`${what} has unknown value ${JSON.stringify(value)}`);
  }
}

/** `value` as a member of `values`; throws UnknownValueError otherwise. */
export function oneOf<T extends string>(values: readonly T[], value: string, what: string): T {
  if (isOneOf(values, value)) return value;
  throw new UnknownValueError(what, value);
}
