/**
 * The curl examples of README.md and docs/, read so that a test can send them as written. An
 * example is a `curl` command in a `sh` block followed by the answer it promises:
 *
 *     curl -s -u acme:… http://127.0.0.1:8786/v2
 *     # → 200 {"status":"SUCCESS"}
 *
 * `# → <status>`, optionally `naming <text>` (the answer names it) and `; sent again → <status>`
 * (the same request a second time).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface DocumentedExample {
  /** Where it is written: `docs/apis/kit.md:52`. */
  source: string;
  /** The command as written, continuation lines joined. */
  command: string;
  expect: number;
  /** Text the answer must contain (`naming date_min`). */
  naming: string | null;
  again: number | null;
}

export interface CurlRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

const projectRoot = new URL('../', import.meta.url).pathname;

/** README.md and every page under docs/, as paths from the project root. */
export function documentationFiles(root = projectRoot): string[] {
  const pages: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(dir, entry.name));
      else if (entry.name.endsWith('.md')) pages.push(relative(root, join(dir, entry.name)));
    }
  };
  walk(join(root, 'docs'));
  return ['README.md', ...pages.sort()];
}

/** The `sh` blocks of a markdown text, each with the line it starts on. */
export function shellBlocks(markdown: string): Array<{ line: number; text: string }> {
  const blocks: Array<{ line: number; text: string }> = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    // Blocks inside a list item are indented; their lines lose the indentation.
    const indent = /^( *)```sh$/.exec(lines[i]!)?.[1];
    if (indent === undefined) continue;
    const start = i + 1;
    while (i + 1 < lines.length && lines[i + 1]!.trim() !== '```') i++;
    blocks.push({ line: start + 1, text: lines.slice(start, i + 1).map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line)).join('\n') });
    i++;
  }
  return blocks;
}

const promise = /^# → (\d{3})\b(.*)$/;

/** Every curl example of a markdown text; `problems` lists the curl commands that promise nothing. */
export function examplesOf(markdown: string, file: string): { examples: DocumentedExample[]; problems: string[] } {
  const examples: DocumentedExample[] = [];
  const problems: string[] = [];
  for (const block of shellBlocks(markdown)) {
    const lines = block.text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (!lines[i]!.startsWith('curl ')) continue;
      const at = `${file}:${block.line + i}`;
      let command = lines[i]!;
      while (command.endsWith('\\') && i + 1 < lines.length) command = `${command.slice(0, -1)} ${lines[++i]!.trimStart()}`;
      // A multi-line quoted body goes on without a backslash until its quote closes.
      while (unclosedQuote(command) && i + 1 < lines.length) command = `${command}\n${lines[++i]}`;
      const answer = promise.exec(lines[i + 1] ?? '');
      if (!answer) {
        problems.push(`${at}: a curl example without the answer it promises on the next line ("# → <status> …")`);
        continue;
      }
      const rest = answer[2]!;
      const again = /sent again → (\d{3})/.exec(rest);
      const naming = /naming (\S+)/.exec(rest);
      examples.push({ source: at, command, expect: Number(answer[1]), naming: naming ? naming[1]!.replace(/[,.;:]$/, '') : null, again: again ? Number(again[1]) : null });
    }
  }
  return { examples, problems };
}

function unclosedQuote(text: string): boolean {
  let quote: string | null = null;
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"') quote = ch;
  }
  return quote !== null;
}

/** Splits a shell command into words: single and double quotes and a trailing comment, no expansion (the examples use none). */
export function shellWords(command: string): string[] {
  const words: string[] = [];
  let word = '';
  let started = false;
  let quote: string | null = null;
  for (const ch of command) {
    if (quote) {
      if (ch === quote) quote = null;
      else word += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      started = true;
    } else if (ch === '#' && !started) {
      break; // a comment, to the end of the command
    } else if (/\s/.test(ch)) {
      if (started) words.push(word);
      word = '';
      started = false;
    } else {
      word += ch;
      started = true;
    }
  }
  if (quote) throw new Error(`unclosed ${quote} in: ${command}`);
  if (started) words.push(word);
  return words;
}

/** What a curl command sends, for the options the examples use (-s -X -H -d --data-raw -u -o). */
export function curlRequest(command: string): CurlRequest {
  const [curl, ...args] = shellWords(command);
  if (curl !== 'curl') throw new Error(`not a curl command: ${command}`);
  const headers: Record<string, string> = {};
  let method: string | undefined;
  let body: string | undefined;
  let url: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const value = () => {
      const next = args[++i];
      if (next === undefined) throw new Error(`${arg} needs a value in: ${command}`);
      return next;
    };
    if (arg === '-s' || arg === '-i') continue;
    else if (arg === '-X') method = value();
    else if (arg === '-o') value(); // where curl writes the answer: the test reads it instead
    else if (arg === '-H') {
      const header = value();
      const colon = header.indexOf(':');
      headers[header.slice(0, colon).trim()] = header.slice(colon + 1).trim();
    } else if (arg === '-d' || arg === '--data' || arg === '--data-raw') body = value();
    else if (arg === '-u') headers.Authorization = `Basic ${Buffer.from(value()).toString('base64')}`;
    else if (arg.startsWith('-')) throw new Error(`the examples' reader does not know ${arg}: ${command}`);
    else url = arg;
  }
  if (!url) throw new Error(`no URL in: ${command}`);
  // curl's own defaults: POST with a body, and such a body is a form unless a type is given.
  if (body !== undefined && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/x-www-form-urlencoded';
  return { url, method: method ?? (body === undefined ? 'GET' : 'POST'), headers, body };
}

/** Every curl example of README.md and docs/, and the curl commands that promise no answer. */
export function documentedExamples(root = projectRoot): { examples: DocumentedExample[]; problems: string[] } {
  const all = { examples: [] as DocumentedExample[], problems: [] as string[] };
  for (const file of documentationFiles(root)) {
    const { examples, problems } = examplesOf(readFileSync(join(root, file), 'utf8'), file);
    all.examples.push(...examples);
    all.problems.push(...problems);
  }
  return all;
}
