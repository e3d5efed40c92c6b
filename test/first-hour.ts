/**
 * What a newcomer does in the first hour, run against a fresh platform of the test's own: every
 * curl example of README.md and docs/ sent as written, and `npm run try -- <api>` for each API,
 * each answering as the documentation says.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { environmentVariables } from '../platform/stack/config.ts';
import { curlRequest, documentedExamples } from '../platform/docs-examples.ts';

/** The documentation's URLs (npm start's default ports) moved to the ports a test platform runs on. */
export function portMover(ports: Record<string, number>): (url: string) => string {
  const moves = new Map<string, number>();
  for (const [name, fallback] of environmentVariables) if (name.endsWith('_PORT') && ports[name] !== undefined) moves.set(fallback, ports[name]);
  return (url) => url.replace(/^http:\/\/127\.0\.0\.1:(\d+)/, (whole, port: string) => (moves.has(port) ? `http://127.0.0.1:${moves.get(port)}` : whole));
}

/** Sends every documented curl example in the order written; answers what differed from the promise. */
export async function sendDocumentedExamples(moveUrl: (url: string) => string): Promise<{ sent: number; problems: string[] }> {
  const { examples, problems } = documentedExamples();
  for (const example of examples) {
    const request = curlRequest(example.command);
    const send = async () => {
      const res = await fetch(moveUrl(request.url), { method: request.method, headers: request.headers, body: request.body, redirect: 'manual' });
      return { status: res.status, text: await res.text() };
    };
    const first = await send();
    if (first.status !== example.expect) problems.push(`${example.source}: answered ${first.status}, documented ${example.expect}: ${first.text.slice(0, 200)}`);
    if (example.naming && !first.text.includes(example.naming)) problems.push(`${example.source}: the answer does not name ${example.naming}: ${first.text.slice(0, 200)}`);
    if (example.again !== null) {
      const again = await send();
      if (again.status !== example.again) problems.push(`${example.source}: sent again answered ${again.status}, documented ${example.again}`);
    }
  }
  return { sent: examples.length, problems };
}

/** `npm run try -- <args>` (the script itself, as npm runs it) against the platform in `localDir`. */
export async function runTry(localDir: string, ...args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['platform/try.ts', ...args], { env: { ...process.env, LOCAL_DIR: localDir }, timeout: 60_000 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : 1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

/**
 * What README says each try shows on a fresh platform: the first answers, and what the same
 * example answers the second time (the lines `npm run try` prints).
 */
export const tryPromises: Record<string, RegExp[]> = {
  lumen: [/── lumen · lumenFulfilled[\s\S]*?\n← 201\b[\s\S]*?\nSent again: ← 409 /, /── lumen · partnerFulfilled[\s\S]*?\n← 201\b[\s\S]*?\nSent again: ← 409 /],
  operations: [/── operations · create_purchase[\s\S]*?\n← 201\b[\s\S]*?\nSent again: ← 201 \(Idempotent-Replayed: true\)/],
  dpd: [/── dpd · status[\s\S]*?\n← 200\b/, /── dpd · reactivate[\s\S]*?\n← 200\b[\s\S]*?\n✉ mail to \S+@\S+: "Your downloads[\s\S]*?\nSent again: ← 200 OK[\s\S]*?\n✉ mail to \S+@\S+: "Your downloads/],
  kit: [/── kit · create[\s\S]*?\n← 201\b[\s\S]*?\nSent again: ← 200\b/, /── kit · get[\s\S]*?\n← 200\b/],
  groupcommerce: [
    /── groupcommerce · validate[\s\S]*?\n← 200\b/,
    /── groupcommerce · order[\s\S]*?nonce is single use[\s\S]*?\n← 200\b[\s\S]*?✉ mail to[\s\S]*?\nSent again: ← 409 /,
  ],
};
