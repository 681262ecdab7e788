// A LandingSink writing into a local folder, for tests that exercise the export writer's layout
// or feed a training set to the local ML platform's readers directly (no destination involved).
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { LandingSink } from '../../packages/stand-ins/src/simulator/landing/landing-sink.js';
import { resolveUnderRoot } from '../../packages/stand-ins/src/simulator/landing/landing-path.js';

export function folderSink(root: string): LandingSink {
  return {
    async put(path, bytes) {
      const target = resolveUnderRoot(root, path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, bytes);
    },
    close: () => Promise.resolve(),
  };
}
