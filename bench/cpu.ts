/**
 * CPU time from /proc: the user and system time of every process of one kind (workerd, PostgreSQL,
 * PostgREST) below a process (the benchmark's platform), summed, in milliseconds. Read around a
 * load run, the difference divided by the requests served is that kind's CPU per request.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** pid, parent pid, command name, and user + system ticks of one process, or null when it is gone. */
function stat(pid: number): { ppid: number; comm: string; ticks: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces; the fields after it are numbered from 3.
    const close = text.lastIndexOf(')');
    const comm = text.slice(text.indexOf('(') + 1, close);
    const fields = text.slice(close + 2).split(' ');
    return { ppid: Number(fields[1]), comm, ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null;
  }
}

/** The kinds of process whose CPU the benchmark reads, by command name. */
const kinds = { workerd: /^workerd/, postgres: /^postgres$/, postgrest: /^postgrest$/ } as const;

/**
 * Milliseconds of CPU used so far by each kind of process that descends from `rootPid`, from one
 * read of /proc: workerd's, and the database side's, PostgreSQL's (every backend and the
 * background ones) and PostgREST's, which Supabase runs on the same compute instance.
 */
export function platformCpuMs(rootPid: number): Record<keyof typeof kinds, number> {
  const processes = new Map<number, { ppid: number; comm: string; ticks: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const s = stat(Number(entry));
    if (s) processes.set(Number(entry), s);
  }
  const descends = (pid: number): boolean => {
    for (let p = processes.get(pid)?.ppid, hops = 0; p !== undefined && p > 1 && hops < 50; p = processes.get(p)?.ppid, hops++) {
      if (p === rootPid) return true;
    }
    return false;
  };
  const ticks = { workerd: 0, postgres: 0, postgrest: 0 };
  for (const [pid, s] of processes) {
    const kind = (Object.keys(kinds) as Array<keyof typeof kinds>).find((name) => kinds[name].test(s.comm));
    if (kind && descends(pid)) ticks[kind] += s.ticks;
  }
  const ms = (n: number) => (n * 1000) / ticksPerSecond;
  return { workerd: ms(ticks.workerd), postgres: ms(ticks.postgres), postgrest: ms(ticks.postgrest) };
}
