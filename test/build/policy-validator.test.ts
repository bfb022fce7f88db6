/**
 * The policy validator compiled at build time (.ci/policy-validator.mjs -> src/policy/schema.generated.ts): it is what
 * policies/schema.json gives today, and it behaves exactly like ajv compiling the schema at run time (same verdicts,
 * same errors with the same parent schemas for "did you mean", same defaults filled in).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Ajv, type ErrorObject } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
// @ts-expect-error -- a plain .mjs build script, no type declarations
import { AJV_OPTIONS, GENERATED_FILE, SCHEMA_FILE, generate } from '../../.ci/policy-validator.mjs';
import * as generated from '../../src/policy/schema.generated.js';
import { policySchema, policyValidator } from '../../src/policy/schema.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const schemaText = readFileSync(SCHEMA_FILE, 'utf8');

type Validate = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };
const compiledAtRunTime = (): Validate => new Ajv({ ...AJV_OPTIONS }).compile(JSON.parse(schemaText)) as Validate;
/** What the generator makes of today's schema (the committed file may lag while the schema is being edited). */
let compiledAtBuildTime: Validate;
let generatedSchema: unknown;
const dir = join(ROOT, 'node_modules', '.cache', `mrg-policy-validator-${process.pid}`);

afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'schema.generated.mjs');
  writeFileSync(file, generate(schemaText));
  const mod = (await import(pathToFileURL(file).href)) as { validate: Validate; schema: unknown };
  compiledAtBuildTime = mod.validate;
  generatedSchema = mod.schema;
});

function examples(): { file: string; data: unknown }[] {
  const dir = join(ROOT, 'policies');
  return readdirSync(dir)
    .filter((f) => f.startsWith('example-') && f.endsWith('.yml'))
    .sort()
    .map((f) => ({ file: f, data: parse(readFileSync(join(dir, f), 'utf8')) as unknown }));
}

/** An error without the schema objects, plus the keys its parent schema allows (what validate.ts reads from it). */
function comparable(e: ErrorObject): unknown {
  const parent = e.parentSchema as { properties?: Record<string, unknown> } | undefined;
  return { ...e, schema: JSON.stringify(e.schema), parentSchema: Object.keys(parent?.properties ?? {}) };
}

describe('the policy validator compiled at build time', () => {
  it('is up to date with policies/schema.json (else run `node .ci/policy-validator.mjs`; npm run build does it)', () => {
    const committed = readFileSync(GENERATED_FILE, 'utf8');
    expect(committed.includes(generated.schemaSha256)).toBe(true);
    expect(committed === generate(schemaText), 'src/policy/schema.generated.ts is stale: run `node .ci/policy-validator.mjs`').toBe(true);
  });

  it('embeds the schema itself and imports nothing, so the bundle reads no file and needs no ajv', () => {
    expect(generatedSchema).toEqual(JSON.parse(schemaText));
    expect(generate(schemaText)).not.toMatch(/\brequire\(|^import /m);
    // src/policy/schema.ts: the generated validator, or (source checkout, schema edited since) ajv on the spot
    expect(policySchema()).toEqual(JSON.parse(schemaText));
    const fresh = createHash('sha256').update(schemaText).digest('hex') === generated.schemaSha256;
    expect(policyValidator() === (generated.validate as unknown)).toBe(fresh);
  });

  it('accepts every example policy and fills in the same defaults as ajv at run time', () => {
    const list = examples();
    expect(list.length).toBeGreaterThanOrEqual(5);
    for (const { file, data } of list) {
      const a = structuredClone(data);
      const b = structuredClone(data);
      expect(compiledAtBuildTime(a), file).toBe(true);
      expect(compiledAtRunTime()(b), file).toBe(true);
      expect(a, file).toEqual(b);
      expect(a, file).not.toEqual(data); // defaults were filled in
      expect((a as { min_group_size?: number }).min_group_size, file).toBeTypeOf('number');
    }
  });

  it('reports the same errors as ajv at run time on broken policies', () => {
    const base = examples().find((x) => x.file === 'example-adult.yml')!.data as Record<string, unknown>;
    const broken: unknown[] = [
      { ...base, min_group_sise: 10 },
      { ...base, version: 2, seed: -1 },
      { ...base, model: { path: '', threshold: 'high' } },
      { ...base, dataset: { path: 'x.csv', label: 'y', positive_label: [1] } },
      { ...base, checks: { performance: { roc_auc: { minimum: 0.8 } }, fairness: { demographic_parity: { min: 0.8 } } } },
      { ...base, statistics: { level: 1.5, inconclusive_width: 'wide', bootstrap: 'bcaa' } },
      [],
    ];
    for (const data of broken) {
      const a = compiledAtBuildTime(structuredClone(data));
      const runtime = compiledAtRunTime();
      const b = runtime(structuredClone(data));
      expect(a).toBe(false);
      expect(b).toBe(false);
      expect(compiledAtBuildTime.errors!.map(comparable)).toEqual(runtime.errors!.map(comparable));
    }
    // the unknown key's parent schema lists the allowed top-level keys (validate.ts's "did you mean")
    compiledAtBuildTime({ ...base, min_group_sise: 10 });
    const unknown = compiledAtBuildTime.errors!.find((e) => e.keyword === 'additionalProperties')!;
    expect(unknown.params).toEqual({ additionalProperty: 'min_group_sise' });
    expect(Object.keys((unknown.parentSchema as { properties: object }).properties)).toContain('min_group_size');
  });
});
