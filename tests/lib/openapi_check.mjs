// Checks a real answer against docs/openapi.yaml: the status must be documented for the operation and
// the body must match the documented schema (a small JSON Schema 2020-12 subset: the one the file uses).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from './server.mjs';

export const spec = parse(readFileSync(join(repoRoot, 'docs', 'openapi.yaml'), 'utf8'));

function resolve(node) {
  while (node && node.$ref) {
    let cur = spec;
    for (const part of node.$ref.replace(/^#\//, '').split('/')) cur = cur[part];
    node = cur;
  }
  return node;
}

const typeOf = (v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v);
const typeMatches = (t, v) => t === typeOf(v) || (t === 'number' && typeof v === 'number');

// Returns a list of "path: problem" strings (empty when the value matches).
export function validate(schema, value, path = '$') {
  schema = resolve(schema);
  if (!schema || schema === true) return [];
  const errs = [];
  if (schema.allOf) for (const s of schema.allOf) errs.push(...validate(s, value, path));
  if (schema.type) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => typeMatches(t, value))) return [...errs, `${path}: ${JSON.stringify(value)?.slice(0, 80)} is not ${types.join('|')}`];
  }
  if ('const' in schema && value !== schema.const) errs.push(`${path}: ${JSON.stringify(value)} is not ${JSON.stringify(schema.const)}`);
  if (schema.enum && !schema.enum.includes(value)) errs.push(`${path}: ${JSON.stringify(value)} not in [${schema.enum.join(', ')}]`);
  if (typeof value === 'string') {
    if (schema.pattern && !new RegExp(schema.pattern, 'u').test(value)) errs.push(`${path}: "${value}" does not match ${schema.pattern}`);
    if (schema.minLength != null && [...value].length < schema.minLength) errs.push(`${path}: shorter than ${schema.minLength}`);
    if (schema.maxLength != null && [...value].length > schema.maxLength) errs.push(`${path}: longer than ${schema.maxLength}`);
    if (schema.format === 'date-time' && !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(value)) errs.push(`${path}: "${value}" is not RFC 3339`);
    if (schema.format === 'uuid' && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) errs.push(`${path}: "${value}" is not a UUID`);
  }
  if (typeof value === 'number') {
    if (schema.minimum != null && value < schema.minimum) errs.push(`${path}: ${value} < ${schema.minimum}`);
    if (schema.maximum != null && value > schema.maximum) errs.push(`${path}: ${value} > ${schema.maximum}`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems != null && value.length < schema.minItems) errs.push(`${path}: fewer than ${schema.minItems} items`);
    if (schema.maxItems != null && value.length > schema.maxItems) errs.push(`${path}: more than ${schema.maxItems} items`);
    if (schema.items) value.forEach((v, i) => errs.push(...validate(schema.items, v, `${path}[${i}]`)));
  }
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const k of schema.required || []) if (!(k in value)) errs.push(`${path}: missing "${k}"`);
    const props = schema.properties || {};
    for (const [k, v] of Object.entries(value)) {
      if (props[k]) errs.push(...validate(props[k], v, `${path}.${k}`));
      else if (schema.additionalProperties === false) errs.push(`${path}: unexpected "${k}"`);
      else if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
        errs.push(...validate(schema.additionalProperties, v, `${path}.${k}`));
      }
    }
  }
  return errs;
}

// Problems for one answer of METHOD PATH (the documented template, e.g. /api/v1/me/favorites/{id}).
export function checkAnswer(method, template, res) {
  const op = spec.paths[template]?.[method.toLowerCase()];
  if (!op) return [`${method} ${template} is not documented`];
  const documented = resolve(op.responses[String(res.status)]);
  if (!documented) return [`${method} ${template}: status ${res.status} is not documented (${Object.keys(op.responses).join(', ')})`];
  if (!documented.content) return res.text ? [`${method} ${template} ${res.status}: documented without a body, got one`] : [];
  const ctype = (res.headers.get('content-type') || '').split(';')[0].trim();
  const media = documented.content[ctype];
  if (!media) return [`${method} ${template} ${res.status}: content-type ${ctype} not documented (${Object.keys(documented.content).join(', ')})`];
  if (!media.schema) return [];
  const value = ctype.endsWith('json') ? res.json : res.text;
  return validate(media.schema, value).map((e) => `${method} ${template} ${res.status}: ${e}`);
}
