import type { TSchema } from '@sinclair/typebox';
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule, { type FormatsPlugin } from 'ajv-formats';
import type { Rejection } from './ingest-error.ts';

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = addFormatsModule as unknown as FormatsPlugin;

// One instance for the process: schemas are compiled at module load (cold start), never per request.
const ajv = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true });
// 'fast' mode: regex-only checks of date-time (no calendar validation), a third of the cost.
addFormats(ajv, { mode: 'fast', formats: ['uuid', 'date-time'] });

export type ValueCheck = (value: unknown, index: number) => Rejection | undefined;

/** A precompiled check that names the first offending field and the rule it broke. */
export function compileSchemaCheck(schema: TSchema): ValueCheck {
  const validate = ajv.compile(schema);
  return (value, index) => {
    if (validate(value)) return undefined;
    const error = validate.errors?.[0];
    return error ? rejectionFromAjv(error, index) : { index, field: '$', rule: 'schema', message: 'invalid' };
  };
}

function rejectionFromAjv(error: ErrorObject, index: number): Rejection {
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required') path.push(String(params.missingProperty));
  if (error.keyword === 'additionalProperties') path.push(String(params.additionalProperty));
  const field = path.length > 0 ? path.join('.') : '$';
  const message =
    error.keyword === 'additionalProperties'
      ? `${field} is not a known field`
      : `${field} ${error.message ?? 'is invalid'}`;
  return {
    index,
    field,
    rule: error.keyword === 'type' ? `type:${String(params.type)}` : error.keyword,
    message,
  };
}
