/**
 * Config problems carry a position: file, line, column and the JSON pointer of the offending
 * value, and the source line when the document's text is known. core/config-report.ts turns
 * them into the text `labelgate check` prints and /admin/config shows for a refused reload.
 */
import { formatConfigReport } from './config-report.js';
import { GatewayError, warningMessage, type ErrorCode, type ErrorParams, type WarningCode } from './errors.js';

export interface ConfigProblem {
  readonly code: ErrorCode;
  readonly message: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly pointer: string;
  /** The text of that line, shown with a caret under the column. */
  readonly source?: string;
  /** How many characters the caret underlines (a YAML token, a `${VAR}`); 1 when not given. */
  readonly width?: number;
}

/** Something a config that loads should still show its operator (core/errors.ts WARNINGS). */
export interface ConfigWarning extends Omit<ConfigProblem, 'code'> {
  readonly code: WarningCode;
}

export { formatProblem } from './config-report.js';

export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];
  readonly code: ErrorCode;

  constructor(problems: readonly ConfigProblem[]) {
    // The message is the readable report, so whoever prints a ConfigError prints it well.
    super(formatConfigReport(problems));
    this.name = 'ConfigError';
    this.problems = problems;
    this.code = problems[0]?.code ?? 'LG_ERR_CONFIG_INVALID';
  }
}

/**
 * Maps a JSON pointer to a line and column of the source; implemented by the loader. A config
 * assembled from two documents (core/config-layer.ts) also names the file the pointer is in.
 */
export type Locator = (pointer: string) => { line: number; column: number; file?: string; source?: string };

/** Collects problems while a config is compiled, then throws them all at once; warnings are kept for the built config. */
export class ProblemList {
  private readonly problems: ConfigProblem[] = [];
  private readonly warningList: ConfigWarning[] = [];

  constructor(private readonly file: string, private readonly locate: Locator) {}

  add(code: ErrorCode, pointer: string, params: ErrorParams = {}): void {
    this.addError(new GatewayError(code, params), pointer);
  }

  addError(error: GatewayError, pointer: string): void {
    const { line, column, file, source } = this.locate(pointer);
    this.problems.push({ code: error.code, message: error.message, file: file ?? this.file, line, column, pointer, ...(source === undefined ? {} : { source }) });
  }

  warn(code: WarningCode, pointer: string, params: ErrorParams = {}): void {
    const { line, column, file, source } = this.locate(pointer);
    this.warningList.push({ code, message: warningMessage(code, params), file: file ?? this.file, line, column, pointer, ...(source === undefined ? {} : { source }) });
  }

  get warnings(): readonly ConfigWarning[] {
    return [...this.warningList];
  }

  get size(): number {
    return this.problems.length;
  }

  throwIfAny(): void {
    if (this.problems.length > 0) throw new ConfigError([...this.problems]);
  }
}
