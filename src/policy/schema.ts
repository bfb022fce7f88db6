/**
 * The policy JSON Schema (policies/schema.json, the one users point their editor at) and its compiled ajv validator.
 * The file is found by walking up from this module: src/policy/ in tests, build/policy/ after tsc, dist/ in the
 * bundle — each has policies/schema.json in an ancestor directory (the action checkout, the npm package).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type AnySchemaObject, type ValidateFunction } from 'ajv';

let cachedPath: string | undefined;
let cachedValidator: ValidateFunction | undefined;
let cachedSchema: AnySchemaObject | undefined;

/** Absolute path of policies/schema.json. */
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
  throw new Error('policies/schema.json not found next to the model-risk-gate installation (broken install?)');
}

export function policySchema(): AnySchemaObject {
  if (!cachedSchema) cachedSchema = JSON.parse(readFileSync(policySchemaPath(), 'utf8')) as AnySchemaObject;
  return cachedSchema;
}

/** ajv with every error at once (allErrors), defaults filled in (useDefaults), the failing schema kept (verbose). */
export function policyValidator(): ValidateFunction {
  if (cachedValidator) return cachedValidator;
  const ajv = new Ajv({ allErrors: true, useDefaults: true, verbose: true, strict: false, allowUnionTypes: true });
  cachedValidator = ajv.compile(policySchema());
  return cachedValidator;
}

/** The keys allowed in the object at an instance pointer, read from the schema (for "did you mean"). */
export function allowedKeys(parentSchema: AnySchemaObject | undefined): string[] {
  const props = parentSchema?.properties as Record<string, unknown> | undefined;
  return props ? Object.keys(props).filter((k) => k !== '$schema') : [];
}
