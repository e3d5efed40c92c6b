/** Reading .local/stack.json, which `npm start` writes when the platform is ready, from other commands. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StackInfo } from './index.ts';

const projectRoot = new URL('../../', import.meta.url).pathname;

/** Where the running platform's stack.json is: LOCAL_DIR (default .local) at the project root. */
export function stackFilePath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.LOCAL_DIR || join(projectRoot, '.local'), 'stack.json');
}

/** The running platform's stack.json, or null when none has been written. */
export async function readStackFile(env: NodeJS.ProcessEnv = process.env): Promise<StackInfo | null> {
  const text = await readFile(stackFilePath(env), 'utf8').catch(() => null);
  return text ? (JSON.parse(text) as StackInfo) : null;
}
