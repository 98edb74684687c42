/**
 * The data dir (`dataDir`, relative to the config file): what the gateway generates once and
 * keeps across restarts, such as the session secret of `security.session.secret: auto` and the
 * bootstrap admin's password hash. Files are created with mode 0600 in a 0700 directory, with
 * an exclusive create so two gateways starting together cannot both write one.
 */
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { GatewayError } from './errors.js';

export interface Kept {
  readonly value: string;
  /** True when this call created the file. */
  readonly created: boolean;
}

export class DataDir {
  constructor(readonly dir: string) {}

  file(name: string): string {
    return path.join(this.dir, name);
  }

  /** The trimmed content of `name`, or undefined when the file does not exist. */
  read(name: string): string | undefined {
    return this.readFile(this.file(name));
  }

  /** The trimmed content of `name`, creating it from `create()` when it does not exist. */
  keep(name: string, create: () => string): Kept {
    const file = this.file(name);
    const existing = this.readFile(file);
    if (existing !== undefined) return { value: existing, created: false };
    const value = create();
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      writeFileSync(file, `${value}\n`, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return { value: this.readFile(file) ?? value, created: false };
      throw new GatewayError('LG_ERR_CONFIG_DATA_DIR', { file, reason: code ?? (error as Error).message }, { cause: error });
    }
    return { value, created: true };
  }

  private readFile(file: string): string | undefined {
    let text: string;
    try {
      text = readFileSync(file, 'utf8').trim();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new GatewayError('LG_ERR_CONFIG_DATA_DIR', { file, reason: (error as NodeJS.ErrnoException).code ?? 'unreadable' }, { cause: error });
    }
    if (text === '') throw new GatewayError('LG_ERR_CONFIG_DATA_DIR', { file, reason: 'the file is empty; delete it to generate a new one' });
    // Someone loosened the mode: tighten it again rather than serve a world-readable secret.
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    return text;
  }
}
