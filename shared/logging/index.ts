/**
 * Structured JSON logs, one object per line. Callers pass named fields; any field whose name
 * suggests a secret is replaced before printing, so a careless call cannot leak a credential.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

const secretField = /pass(word)?|secret|token|authorization|api[-_]?key|cookie|signature|card|cvv|pan\b/i;

/** Copies fields, masking values whose key names a secret (at any depth), and errors as their name and message. */
export function redact(fields: LogFields, depth = 0): LogFields {
  const out: LogFields = {};
  for (const [key, value] of Object.entries(fields)) {
    if (secretField.test(key)) out[key] = '[redacted]';
    else if (value instanceof Error) out[key] = { name: value.name, message: value.message };
    else if (value && typeof value === 'object' && !Array.isArray(value) && depth < 4) {
      out[key] = redact(value as LogFields, depth + 1);
    } else out[key] = value;
  }
  return out;
}

export interface Logger {
  log(level: LogLevel, message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

/** A logger writing JSON lines through console (which workerd and Workers Logs collect). */
export function createLogger(base: LogFields = {}): Logger {
  return {
    log(level, message, fields = {}) {
      const line = JSON.stringify({ level, time: new Date().toISOString(), message, ...redact({ ...base, ...fields }) });
      if (level === 'error') console.error(line);
      else if (level === 'warn') console.warn(line);
      else console.log(line);
    },
    child(fields) {
      return createLogger({ ...base, ...fields });
    },
  };
}
