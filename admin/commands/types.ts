/** The shape of an admin command: its help text, its options, and what it does. */
import type { ParseArgsOptionsConfig } from 'node:util';
import type { CommandContext } from '../context.ts';

export interface AdminCommand {
  /** One line for the command list. */
  summary: string;
  /** Usage and option descriptions for --help. */
  usage: string;
  options: ParseArgsOptionsConfig;
  /** Number of positional arguments the command takes. */
  positionals: number;
  run(ctx: CommandContext, values: Record<string, string | boolean | undefined>, positionals: string[]): Promise<void>;
}
