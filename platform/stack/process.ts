/** Child processes the platform owns: started with their output in the log, stopped for sure. */
import { spawn, type ChildProcess } from 'node:child_process';
import type { LogSink } from './errors.ts';

export interface Service {
  name: string;
  child: ChildProcess;
  /** Resolves with the exit code when the process ends, for whatever reason. */
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

export interface ServiceOptions {
  /** The signal that asks the service to stop (default SIGTERM). */
  stopSignal?: NodeJS.Signals;
  /** Extra spawn options, e.g. the uid and gid to run as. */
  spawnOptions?: { uid: number; gid: number } | undefined;
  /** Sees the service's output as it comes, besides the log. */
  onOutput?: (text: string) => void;
}

export function startService(
  name: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  log: LogSink,
  options: ServiceOptions = {},
): Service {
  const stopSignal = options.stopSignal ?? 'SIGTERM';
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], ...options.spawnOptions });
  const collect = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    log.write(name, text);
    options.onOutput?.(text);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  // Whatever ends this process (another library's signal handler may call process.exit before our
  // asynchronous stop runs), the child goes with it.
  const killOnExit = () => child.kill(stopSignal);
  process.once('exit', killOnExit);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      process.off('exit', killOnExit);
      resolve(code);
    });
    child.once('error', (error) => {
      log.write(name, `could not start: ${error.message}`);
      resolve(null);
    });
  });
  return {
    name,
    child,
    exited,
    async stop(graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      child.kill(stopSignal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls `probe` until it returns true, the service exits, or `timeoutMs` passes. */
export async function waitUntil(
  probe: () => Promise<boolean>,
  options: { timeoutMs: number; service?: Service },
): Promise<'ready' | 'exited' | 'timeout'> {
  const deadline = Date.now() + options.timeoutMs;
  let exited = false;
  void options.service?.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) return 'exited';
    if (await probe().catch(() => false)) return 'ready';
    await new Promise((r) => setTimeout(r, 100));
  }
  return 'timeout';
}
