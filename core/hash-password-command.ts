/**
 * `labelgate hash-password`: reads a password from stdin and prints the line to paste into a
 * password strategy's `passwordHash`. On a terminal the input is not echoed; from a pipe
 * (`printf %s "$PW" | labelgate hash-password`) one trailing newline is dropped.
 */
import type { CliCommand } from './cli-commands.js';
import { hashPassword } from './password-hash.js';

async function readPiped(stdin: NodeJS.ReadStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Reads one line from a terminal without echoing it. */
function readHidden(stdin: NodeJS.ReadStream, prompt: string): Promise<string> {
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let typed = '';
    const done = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n' || char === '\u0004') return done();
        if (char === '\u0003') return done(new Error('cancelled'));
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    stdin.on('data', onData);
  });
}

export const hashPasswordCommand: CliCommand = {
  name: 'hash-password',
  usage: 'labelgate hash-password                   read a password on stdin, print its passwordHash',
  async run() {
    const { stdin } = process;
    const password = stdin.isTTY ? await readHidden(stdin, 'password (not shown): ') : await readPiped(stdin);
    if (password === '') {
      process.stderr.write('no password given on stdin\n');
      return 2;
    }
    process.stdout.write(`${await hashPassword(password)}\n`);
    return 0;
  },
};
