// TEST ONLY: named hook points before and after each Platform call. When the configured
// CRASH_AT (`<step>:<before|after>`) matches, the worker SIGKILLs itself there, so chaos tests can
// prove that a crash between "the Platform created it" and "we saved its id" loses nothing.
// With CRASH_AT unset (every real deployment) a hook point does nothing.

export type CrashPhase = 'before' | 'after';
export type CrashPoint = (step: string, phase: CrashPhase) => void;

export function createCrashPoint(crashAt: string | undefined, kill: () => void = () => process.kill(process.pid, 'SIGKILL')): CrashPoint {
  if (crashAt === undefined) return () => undefined;
  return (step, phase) => {
    if (`${step}:${phase}` === crashAt) kill();
  };
}
