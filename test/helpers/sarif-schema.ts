/**
 * The official SARIF 2.1.0 schema (draft-04, shipped in @microsoft/jest-sarif) compiled with ajv 8: draft-04's
 * `id` becomes `$id`, its patterns need `unicodeRegExp: false`, and the three formats it uses are checked here.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';

let compiled: ValidateFunction | undefined;

export function sarifValidator(): ValidateFunction {
  if (compiled) return compiled;
  const schemaUrl = new URL('../../node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json', import.meta.url);
  const { id, $schema: _draft, ...schema } = JSON.parse(readFileSync(schemaUrl, 'utf8')) as Record<string, unknown>;
  void _draft;
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
  ajv.addFormat('uri', (s: string) => {
    try {
      new URL(s);
      return true;
    } catch {
      return false;
    }
  });
  ajv.addFormat('uri-reference', (s: string) => /^[^\s<>"{}|\\^`]*$/.test(s));
  ajv.addFormat('date-time', (s: string) => !Number.isNaN(Date.parse(s)) && /^\d{4}-\d{2}-\d{2}T/.test(s));
  compiled = ajv.compile({ ...schema, $id: id as string });
  return compiled;
}
