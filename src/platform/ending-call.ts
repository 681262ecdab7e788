// Calls that end something (a delete, a cancel) are safe to replay, so an answer saying the thing
// had already ended is success for the caller, reported as `false` ("it was already so").
import type { CallOptions, MethodCall, Send } from './call-executor.js';
import { PlatformError, type PlatformErrorKind } from './errors.js';

/** True when this call ended the object, false when the Platform answers one of `alreadyEnded`. */
export async function sendEnding(
  send: Send,
  call: MethodCall,
  opts: CallOptions | undefined,
  alreadyEnded: readonly PlatformErrorKind[] = ['not_found'],
): Promise<boolean> {
  try {
    await send(call, opts);
    return true;
  } catch (error) {
    if (error instanceof PlatformError && alreadyEnded.includes(error.kind)) return false;
    throw error;
  }
}
