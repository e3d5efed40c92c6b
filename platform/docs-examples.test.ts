/**
 * README.md and docs/ hold together: every curl example promises its answer (the integration test
 * sends them), every link reaches a file and a heading that exist, and every command shown is one
 * that exists (an npm script, an admin command).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { curlRequest, documentationFiles, documentedExamples, examplesOf, shellBlocks, shellWords } from './docs-examples.ts';

const root = resolve(import.meta.dirname, '..');
const pages = documentationFiles(root).map((file) => ({ file, text: readFileSync(join(root, file), 'utf8') }));

/** A heading's anchor as GitHub makes it. */
const anchorOf = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');

describe('the curl examples reader', () => {
  it('splits words as the shell does for quotes', () => {
    expect(shellWords(`curl -H 'X-Api-Key: a b' -d '{"a":"it''s"}' "x y" z`)).toEqual(['curl', '-H', 'X-Api-Key: a b', '-d', '{"a":"its"}', 'x y', 'z']);
    expect(shellWords(`curl 'a#b' c#d # a comment`)).toEqual(['curl', 'a#b', 'c#d']);
    expect(() => shellWords(`curl 'open`)).toThrow(/unclosed/);
  });

  it('reads an example with its continuation lines, a body over several lines, and its promise', () => {
    const markdown = ['```sh', `curl -s -X POST http://h/p \\`, `  -H 'A: 1' \\`, `  -d '{"a":1,`, `       "b":2}'`, '# → 201 made; sent again → 409', '```'].join('\n');
    const { examples, problems } = examplesOf(markdown, 'x.md');
    expect(problems).toEqual([]);
    expect(examples).toMatchObject([{ source: 'x.md:2', expect: 201, again: 409, naming: null }]);
    expect(curlRequest(examples[0]!.command)).toEqual({ url: 'http://h/p', method: 'POST', headers: { A: '1', 'Content-Type': 'application/x-www-form-urlencoded' }, body: '{"a":1,\n       "b":2}' });
    expect(curlRequest(`curl -u a:b 'http://h/?x=1'`)).toEqual({ url: 'http://h/?x=1', method: 'GET', headers: { Authorization: `Basic ${btoa('a:b')}` }, body: undefined });
  });

  it('finds a curl example that promises nothing', () => {
    expect(examplesOf(['```sh', 'curl -s http://h/', '```'].join('\n'), 'y.md').problems).toEqual([expect.stringMatching(/^y\.md:2: a curl example without/)]);
  });
});

describe('README.md and docs/', () => {
  it('promise an answer for every curl example, each one the reader understands', () => {
    const { examples, problems } = documentedExamples(root);
    expect(problems).toEqual([]);
    expect(examples.length).toBeGreaterThanOrEqual(10);
    for (const example of examples) expect(() => curlRequest(example.command), example.source).not.toThrow();
  });

  it('link to files and headings that exist', () => {
    const broken: string[] = [];
    for (const { file, text } of pages) {
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue;
        const [path, anchor] = target!.split('#');
        const linked = path ? join(dirname(join(root, file)), path) : join(root, file);
        if (!existsSync(linked)) {
          broken.push(`${file}: ${target} (no such file)`);
          continue;
        }
        if (anchor && linked.endsWith('.md')) {
          const headings = [...readFileSync(linked, 'utf8').matchAll(/^#+ (.+)$/gm)].map(([, heading]) => anchorOf(heading!));
          if (!headings.includes(anchor)) broken.push(`${file}: ${target} (no such heading)`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it('show only npm scripts and admin commands that exist', () => {
    const scripts = Object.keys(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts);
    const help = execFileSync(process.execPath, [join(root, 'admin/index.ts'), '--help'], { encoding: 'utf8' });
    const adminCommands = new Set([...help.matchAll(/^ {2}([a-z-]+ [a-z-]+) +\S/gm)].map(([, command]) => command));
    const unknown: string[] = [];
    for (const { file, text } of pages) {
      for (const block of shellBlocks(text)) {
        for (const [, script] of block.text.matchAll(/\bnpm run ([a-z:-]+)/g)) if (!scripts.includes(script!)) unknown.push(`${file}: npm run ${script}`);
        for (const [, command] of block.text.matchAll(/npm run admin -- ([a-z-]+ [a-z-]+)/g)) if (!adminCommands.has(command!)) unknown.push(`${file}: admin ${command}`);
      }
    }
    expect(adminCommands.size).toBeGreaterThan(30);
    expect(unknown).toEqual([]);
  });
});
