// pino-pretty is for people reading logs locally: a dev dependency, used when installed, and its
// absence (a production install) must not stop a process started with LOG_PRETTY=true.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { loggerOptions, prettyPrinterInstalled } from '../../src/logger.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

test('pino-pretty is a dev dependency only', () => {
  assert.ok('pino-pretty' in pkg.devDependencies);
  assert.ok(!('pino-pretty' in pkg.dependencies));
});

test('pretty output goes through pino-pretty where it is installed, JSON otherwise', () => {
  assert.equal(prettyPrinterInstalled(), true, 'a dev install has it');
  assert.deepEqual(loggerOptions({ level: 'info', pretty: true }).transport, {
    target: 'pino-pretty',
    options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' },
  });
  assert.equal(loggerOptions({ level: 'info', pretty: false }).transport, undefined);
});
