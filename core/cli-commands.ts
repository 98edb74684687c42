/**
 * Further CLI commands contributed by other parts of the core (`hash-password`,
 * `config push`, …). Each parses its own arguments and returns an exit code.
 */
import { configPushCommand } from './config-push-command.js';
import { hashPasswordCommand } from './hash-password-command.js';

export interface CliCommand {
  /** One word, or two for sub-commands (`config push`). */
  readonly name: string;
  readonly usage: string;
  run(args: string[]): Promise<number>;
}

export const CLI_COMMANDS: readonly CliCommand[] = [hashPasswordCommand, configPushCommand];
