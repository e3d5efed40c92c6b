/**
 * Form bodies with dotted and indexed names, as ASP.NET model binding reads them:
 * `ConsumerInfo.Email`, `OrderDetails[0].OfferId`, `PurchaseTrackingInfo.AdditionalFields[1].Key`
 * (brackets also percent-encoded, `%5b0%5d`), and a repeated plain name as a list
 * (`PromoCodes=A&PromoCodes=B`). The result is one nested object of strings for a schema to
 * check. Limits keep a hostile body from building something huge.
 */

export interface FormLimits {
  /** Most name=value pairs (default 500). */
  maxFields: number;
  /** Most segments in one name, e.g. `A.B[0].C` has 4 (default 6). */
  maxDepth: number;
  /** Largest list index (default 99). */
  maxIndex: number;
  /** Longest name, in characters (default 200). */
  maxNameLength: number;
}

export const defaultFormLimits: FormLimits = { maxFields: 500, maxDepth: 6, maxIndex: 99, maxNameLength: 200 };

export type FormValue = string | FormValue[] | { [key: string]: FormValue };
export type FormResult = { ok: true; value: { [key: string]: FormValue } } | { ok: false; problem: string };

const segmentPattern = /^([A-Za-z_][A-Za-z0-9_]*)((?:\[\d+\])*)$/;

/** The path of a name: property names and list indexes, or a reason it is not one. */
export function parseFieldName(name: string, limits: FormLimits = defaultFormLimits): Array<string | number> | string {
  if (name.length === 0) return 'a field has an empty name';
  if (name.length > limits.maxNameLength) return `the field name ${name.slice(0, 40)}… is longer than ${limits.maxNameLength} characters`;
  const path: Array<string | number> = [];
  for (const part of name.split('.')) {
    const match = segmentPattern.exec(part);
    if (!match) return `the field name ${JSON.stringify(name)} is not of the form Name, Name.Sub or Name[0].Sub`;
    path.push(match[1]!);
    for (const index of match[2]!.match(/\d+/g) ?? []) {
      const value = Number(index);
      if (value > limits.maxIndex) return `the index ${value} in ${name} is larger than ${limits.maxIndex}`;
      path.push(value);
    }
  }
  if (path.length > limits.maxDepth) return `the field name ${name} is nested more than ${limits.maxDepth} levels deep`;
  return path;
}

/**
 * Parses a form body (URL-encoded text; `+` is a space), or its name=value pairs already read,
 * into one nested object. Pairs in hand are used as they are: in workerd a URLSearchParams is a
 * runtime object, and building one to walk it again cost more than the rest of the parse.
 */
export function parseDottedForm(body: string | URLSearchParams | ReadonlyArray<readonly [string, string]>, limits: FormLimits = defaultFormLimits): FormResult {
  const pairs = Array.isArray(body) ? (body as ReadonlyArray<readonly [string, string]>) : [...(typeof body === 'string' ? new URLSearchParams(body) : (body as URLSearchParams)).entries()];
  if (pairs.length > limits.maxFields) return { ok: false, problem: `the form has more than ${limits.maxFields} fields` };
  const root: { [key: string]: FormValue } = {};
  for (const [name, value] of pairs) {
    const path = parseFieldName(name, limits);
    if (typeof path === 'string') return { ok: false, problem: path };
    const problem = place(root, path, value, name);
    if (problem) return { ok: false, problem };
  }
  const holes = findHoles(root, '');
  return holes ? { ok: false, problem: holes } : { ok: true, value: root };
}

/** Puts one value at its path; a plain name given twice becomes a list, as ASP.NET binds it. */
function place(root: { [key: string]: FormValue }, path: Array<string | number>, value: string, name: string): string | null {
  let node: FormValue = root;
  for (let i = 0; i < path.length; i++) {
    const key = path[i]!;
    const last = i === path.length - 1;
    const nextIsIndex = typeof path[i + 1] === 'number';
    if (typeof key === 'number') {
      if (!Array.isArray(node)) return `${name} indexes something that is not a list`;
      if (last) {
        if (node[key] !== undefined) return `${name} is given more than once`;
        node[key] = value;
        return null;
      }
      node[key] ??= nextIsIndex ? [] : {};
      node = node[key]!;
      continue;
    }
    if (typeof node === 'string' || Array.isArray(node)) return `${name} conflicts with another field of the same name`;
    if (Object.hasOwn(Object.prototype, key) && !Object.hasOwn(node, key)) {
      // Names like constructor or __proto__ are plain data here, never the object's own machinery.
      Object.defineProperty(node, key, { value: undefined, writable: true, enumerable: true, configurable: true });
    }
    if (last) {
      const existing = node[key];
      if (existing === undefined) node[key] = value;
      else if (typeof existing === 'string') node[key] = [existing, value];
      else if (Array.isArray(existing) && existing.every((item) => typeof item === 'string')) existing.push(value);
      else return `${name} conflicts with another field of the same name`;
      return null;
    }
    const existing: FormValue | undefined = node[key];
    if (existing === undefined) node[key] = nextIsIndex ? [] : {};
    else if (typeof existing === 'string' || Array.isArray(existing) !== nextIsIndex) return `${name} conflicts with another field of the same name`;
    node = node[key]!;
  }
  return null;
}

/** Lists must run 0, 1, 2… without gaps, or items would be silently lost. */
function findHoles(node: FormValue, where: string): string | null {
  if (typeof node === 'string') return null;
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      if (node[i] === undefined) return `${where}[${i}] is missing: list indexes must start at 0 and have no gaps`;
      const inner = findHoles(node[i]!, `${where}[${i}]`);
      if (inner) return inner;
    }
    return null;
  }
  for (const [key, value] of Object.entries(node)) {
    const inner = findHoles(value, where ? `${where}.${key}` : key);
    if (inner) return inner;
  }
  return null;
}

/** .NET's Boolean.Parse: `True`/`False` in any case (surrounding spaces ignored); anything else is null. */
export function parseDotNetBoolean(value: string): boolean | null {
  const text = value.trim().toLowerCase();
  return text === 'true' ? true : text === 'false' ? false : null;
}
