// Reads started early: a repeated export's flow and source connection are read at the Platform
// while the governance step reads the dataset's labels, instead of one after the other in
// verify_flow (three reads at once, not three in a row). A read is taken once; a second
// verify_flow in the same activation (after it patched the flow) reads afresh.
import type { Flow, SourceConnection } from '../../platform/types.js';
import type { PlatformClient } from '../../platform/client.js';

export class ReadAhead {
  private readonly flows = new Map<string, Promise<Flow>>();
  private readonly sources = new Map<string, Promise<SourceConnection>>();

  /** Starts reading the flow and the source connection; their failures surface when taken. */
  start(platform: Pick<PlatformClient, 'getFlow' | 'getSourceConnection'>, flowId: string, sourceConnectionId: string): void {
    const flow = platform.getFlow(flowId);
    const source = platform.getSourceConnection(sourceConnectionId);
    // Not taken (governance refused, the activation ended): nobody waits for them.
    flow.catch(() => undefined);
    source.catch(() => undefined);
    this.flows.set(flowId, flow);
    this.sources.set(sourceConnectionId, source);
  }

  flow(platform: Pick<PlatformClient, 'getFlow'>, flowId: string): Promise<Flow> {
    return take(this.flows, flowId) ?? platform.getFlow(flowId);
  }

  sourceConnection(platform: Pick<PlatformClient, 'getSourceConnection'>, id: string): Promise<SourceConnection> {
    return take(this.sources, id) ?? platform.getSourceConnection(id);
  }
}

function take<T>(map: Map<string, Promise<T>>, key: string): Promise<T> | undefined {
  const value = map.get(key);
  map.delete(key);
  return value;
}
