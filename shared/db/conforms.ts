/**
 * Whether a value already has a schema's shape, decided by walking the schema's definition once
 * with no copy and no error collection. zod's own parse builds a new object for every object it
 * checks and, in workerd (no `new Function`), takes its general path: on a page of 100 DPD
 * purchases that is several times the cost of mapping them to the wire. An answer that passes here
 * is the schema's output as it is; one that does not, or a schema this does not read (a transform,
 * a default), is given to zod, which says where it differs (shared/db/rpc.ts).
 */
import * as z from 'zod/mini';

type Verdict = 'conforms' | 'differs' | 'unread';
type Check = (value: unknown) => Verdict;

const conformsAlways: Check = () => 'conforms';
const unread: Check = () => 'unread';
const when = (test: (value: unknown) => boolean): Check => (value) => (test(value) ? 'conforms' : 'differs');
const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Each schema's check, made once: a tree of closures, which V8 runs far faster than a walk of the definitions. */
const compiled = new WeakMap<z.core.$ZodType, Check>();

function checkOf(schema: z.core.$ZodType): Check {
  let check = compiled.get(schema);
  if (!check) {
    // Recursive schemas would come back here before the first is made: they meet a lazy stand-in.
    compiled.set(schema, (value) => checkOf(schema)(value));
    check = compile(schema);
    compiled.set(schema, check);
  }
  return check;
}

function compile(schema: z.core.$ZodType): Check {
  const def = schema._zod.def as z.core.$ZodTypeDef & Record<string, unknown>;
  // A refinement (a regex, a length) is zod's to run; on its own node it changes nothing.
  if (def.checks && def.checks.length > 0) return when((value) => z.safeParse(schema, value).success);
  switch (def.type) {
    case 'unknown':
    case 'any':
      return conformsAlways;
    case 'string':
      return when((value) => typeof value === 'string');
    case 'number':
      return when((value) => typeof value === 'number' && Number.isFinite(value));
    case 'boolean':
      return when((value) => typeof value === 'boolean');
    case 'null':
      return when((value) => value === null);
    case 'nullable': {
      const inner = checkOf(def.innerType as z.core.$ZodType);
      return (value) => (value === null ? 'conforms' : inner(value));
    }
    case 'optional': {
      const inner = checkOf(def.innerType as z.core.$ZodType);
      return (value) => (value === undefined ? 'conforms' : inner(value));
    }
    case 'enum': {
      const allowed = new Set(Object.values(def.entries as Record<string, unknown>));
      return when((value) => allowed.has(value));
    }
    case 'literal': {
      const allowed = new Set(def.values as unknown[]);
      return when((value) => allowed.has(value));
    }
    case 'array': {
      const element = checkOf(def.element as z.core.$ZodType);
      return (value) => (Array.isArray(value) ? every(value, () => element) : 'differs');
    }
    case 'tuple': {
      if (def.rest) return unread;
      const items = (def.items as z.core.$ZodType[]).map(checkOf);
      return (value) => (Array.isArray(value) && value.length === items.length ? every(value, (index) => items[index]!) : 'differs');
    }
    case 'object': {
      if (def.catchall) return unread;
      const fields = Object.entries(def.shape as Record<string, z.core.$ZodType>).map(([key, inner]) => [key, checkOf(inner)] as const);
      return (value) => {
        if (!isPlainObject(value)) return 'differs';
        for (const [key, check] of fields) {
          const inner = check(value[key]);
          if (inner !== 'conforms') return inner;
        }
        return 'conforms';
      };
    }
    case 'record': {
      if ((def.keyType as z.core.$ZodType)._zod.def.type !== 'string') return unread;
      const inner = checkOf(def.valueType as z.core.$ZodType);
      return (value) => (isPlainObject(value) ? every(Object.values(value), () => inner) : 'differs');
    }
    case 'union': {
      const options = (def.options as z.core.$ZodType[]).map(checkOf);
      return (value) => {
        let result: Verdict = 'differs';
        for (const option of options) {
          const inner = option(value);
          if (inner === 'conforms') return 'conforms';
          if (inner === 'unread') result = 'unread';
        }
        return result;
      };
    }
    default:
      // Transforms, pipes, defaults and the rest change or supply values: only zod can say what comes out.
      return unread;
  }
}

function every(values: unknown[], checkAt: (index: number) => Check): Verdict {
  for (let index = 0; index < values.length; index++) {
    const inner = checkAt(index)(values[index]);
    if (inner !== 'conforms') return inner;
  }
  return 'conforms';
}

/**
 * True when `value` is, as it is, what `schema` outputs for it: every field the schema names has
 * its type (fields it does not name are left, unread). False when it differs, or when the schema
 * has parts only zod can apply (then zod parses it).
 */
export function conforms<Schema extends z.core.$ZodType>(schema: Schema, value: unknown): value is z.output<Schema> {
  return checkOf(schema)(value) === 'conforms';
}
