// Stored entity bodies keep simulator bookkeeping (e.g. a flow's readyAt) under `__sim`; it never
// leaves the simulator.

export const SIM_KEY = '__sim';

/** A stored body with optional bookkeeping. */
export type WithSim<Body, Sim> = Body & { __sim?: Sim };

/** Returns the body without its `__sim` bookkeeping. */
export function publicBody<Body extends object>(body: Body): Omit<Body, '__sim'> {
  if (!(SIM_KEY in body)) return body;
  const { __sim: _ignored, ...rest } = body as Body & { __sim?: unknown };
  return rest;
}
