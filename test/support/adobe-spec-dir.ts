// Where Adobe's published OpenAPI files are read from: the `shared/adobe-openapi` folder beside the
// project's clone, or ADOBE_OPENAPI_DIR. They are not copied into the repository (they are Adobe's);
// scripts/run-tests.mjs stops with one clear message when they are missing.
import { pathToFileURL } from 'node:url';

const override = process.env.ADOBE_OPENAPI_DIR;

export const ADOBE_SPEC_DIR: URL = override
  ? pathToFileURL(override.endsWith('/') ? override : `${override}/`)
  : new URL('../../../shared/adobe-openapi/', import.meta.url);
