/** How the platform runner fails (one line saying what, one saying what to do) and where its services' output goes. */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';

/** A start-up failure a person can act on: what went wrong, and what to do about it. */
export class PlatformError extends Error {
  readonly remedy: string;
  constructor(message: string, remedy: string) {
    super(message);
    this.name = 'PlatformError';
    this.remedy = remedy;
  }
}

/** Collects each service's output in `<localDir>/logs/<service>.log`, optionally echoing it. */
export class LogSink {
  private readonly streams = new Map<string, WriteStream>();
  private readonly dir: string;
  private readonly echo: ((service: string, text: string) => void) | undefined;

  constructor(localDir: string, echo?: (service: string, text: string) => void) {
    this.dir = join(localDir, 'logs');
    mkdirSync(this.dir, { recursive: true });
    this.echo = echo;
  }

  write(service: string, text: string): void {
    let stream = this.streams.get(service);
    if (!stream) {
      stream = createWriteStream(join(this.dir, `${service}.log`), { flags: 'a' });
      this.streams.set(service, stream);
    }
    stream.write(text.endsWith('\n') ? text : `${text}\n`);
    this.echo?.(service, text);
  }

  async close(): Promise<void> {
    await Promise.all([...this.streams.values()].map((s) => new Promise((done) => s.end(done))));
    this.streams.clear();
  }
}
