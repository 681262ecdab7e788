// Caps how many requests may hold a pooled connection while asking the pool for another (a
// transaction-scoped advisory lock held during reads through the pool). Without a cap, as many such
// requests as the pool has connections each hold one and wait forever for a second.
export interface ConnectionGate {
  run<T>(work: () => Promise<T>): Promise<T>;
}

export function createConnectionGate(limit: number): ConnectionGate {
  let active = 0;
  const waiting: (() => void)[] = [];
  return {
    async run(work) {
      if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
      else active++;
      try {
        return await work();
      } finally {
        // Hand the slot straight to the next waiter, or free it.
        const next = waiting.shift();
        if (next) next();
        else active--;
      }
    },
  };
}

/**
 * Connections of a simulator's pool: room for a worker's 20 concurrent calls, each ad hoc request
 * holding a lock connection and using a second, with runs completing in the background meanwhile.
 */
export const SIMULATOR_POOL_SIZE = 20;
/** Half the simulator's pool: the holders' second connections always fit in the rest. */
const lockHolderLimit = SIMULATOR_POOL_SIZE / 2;
const gates = new WeakMap<object, ConnectionGate>();

/**
 * The one gate of a simulator instance (keyed by its context) for every request that holds an
 * advisory-lock connection while using the pool: ad hoc dataset runs and audience activations
 * share the budget, so together they cannot exhaust the pool.
 */
export function lockHolderGateFor(ctx: object): ConnectionGate {
  let gate = gates.get(ctx);
  if (gate === undefined) {
    gate = createConnectionGate(lockHolderLimit);
    gates.set(ctx, gate);
  }
  return gate;
}
