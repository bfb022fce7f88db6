/**
 * The policy JSON Schema and its validator. policies/schema.json is the source (users point their editors at it);
 * .ci/policy-validator.mjs compiles it once at build time with ajv's standalone code generation into
 * ./schema.generated.ts (the validator as plain JavaScript, plus the schema itself), so a run reads no schema file and
 * compiles nothing, and the bundle in dist/ needs nothing next to it.
 *
 * In a source checkout (tests run src/*.ts), a policies/schema.json edited since the last generation is compiled with
 * ajv on the spot, so work on the schema never tests a stale validator; test/build/policy-validator.test.ts fails until
 * the generated file is regenerated (`node .ci/policy-validator.mjs`, which `npm run build` runs first).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AnySchemaObject, ValidateFunction } from 'ajv';
import * as generated from './schema.generated.js';

let cachedPath: string | undefined;
let cachedValidator: ValidateFunction | undefined;
let cachedSchema: AnySchemaObject | undefined;

/**
 * Absolute path of policies/schema.json, found by walking up from this module (for tools and tests; a run does not
 * read it). Throws when it is not there.
 */
export function policySchemaPath(): string {
  if (cachedPath) return cachedPath;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, 'policies', 'schema.json');
    if (existsSync(candidate)) return (cachedPath = candidate);
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error('policies/schema.json not found next to the model-risk-gate installation');
}

/** The schema text of policies/schema.json when running from TypeScript sources and it differs from the generated one. */
function editedSourceSchema(): string | undefined {
  if (!import.meta.url.endsWith('.ts')) return undefined; // build/, dist/: the generated validator, always
  const file = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'policies', 'schema.json');
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, 'utf8');
  return createHash('sha256').update(text).digest('hex') === generated.schemaSha256 ? undefined : text;
}

function load(): void {
  if (cachedValidator) return;
  const edited = editedSourceSchema();
  if (edited === undefined) {
    cachedSchema = generated.schema as AnySchemaObject;
    cachedValidator = generated.validate as unknown as ValidateFunction;
    return;
  }
  // Source checkout only (never reached from the bundle, which is why ajv is required here and not imported).
  const { Ajv } = createRequire(import.meta.url)(/* webpackIgnore: true */ 'ajv') as typeof import('ajv');
  cachedSchema = JSON.parse(edited) as AnySchemaObject;
  const ajv = new Ajv({ allErrors: true, useDefaults: true, verbose: true, strict: false, allowUnionTypes: true });
  cachedValidator = ajv.compile(cachedSchema);
}

/** The policy schema (the content of policies/schema.json). */
export function policySchema(): AnySchemaObject {
  load();
  return cachedSchema as AnySchemaObject;
}

/** ajv with every error at once (allErrors), defaults filled in (useDefaults), the failing schema kept (verbose). */
export function policyValidator(): ValidateFunction {
  load();
  return cachedValidator as ValidateFunction;
}

/** The keys allowed in the object at an instance pointer, read from the schema (for "did you mean"). */
export function allowedKeys(parentSchema: AnySchemaObject | undefined): string[] {
  const props = parentSchema?.properties as Record<string, unknown> | undefined;
  return props ? Object.keys(props).filter((k) => k !== '$schema') : [];
}
